// The vmware source's inventory sync against vcsim (built by `bash test/peers/vcsim/install.sh`)
// with 1,000 and 5,000 VMs: wall time and peak memory of `inventory()`, next to two floors
// measured in the same run, against the same simulator:
//
//   raw     the same SOAP requests (log in, list the VMs through a container view, then pages of
//           100 VMs with every property the sync reads, `sync_limit` pages in flight), bodies
//           read and dropped: what vcsim and the wire cost;
//   parse   the same, every body parsed into the namespace-aware XML tree: the raw fetch + XML
//           parse, without mapping anything to instances;
//   ferry   openVmwareSource(...).inventory(): the tree, networks, tags, VM list, pages, mapping.
//
// Each measurement runs in its own process (peak RSS is the process's), best of FERRY_BENCH_RUNS.
//
//   npm run bench -- vmware
//   FERRY_BENCH_VMWARE_SIZES=1000 FERRY_BENCH_RUNS=5 npm run bench -- vmware

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Source } from '../src/model/desired.js';
import { VimClient } from '../src/providers/vmware/client.js';
import { deadline, readBody, send } from '../src/providers/vmware/http.js';
import { openVmwareSource } from '../src/providers/vmware/index.js';
import { PAGE } from '../src/providers/vmware/inventory.js';
import { mapLimit } from '../src/util/map-limit.js';
import { SoapTransport, sdkUrl } from '../src/providers/vmware/soap.js';
import { trustingAgent } from '../src/providers/vmware/tls.js';
import { morefXml, type MoRef } from '../src/providers/vmware/values.js';
import { VM_PATHS } from '../src/providers/vmware/vm-record.js';
import { parseXml } from '../src/providers/vmware/xml.js';
import { PEER_CACHE, startVcsim, vcsimVersion } from '../test/peers/vcsim/peer-env.js';

const SIZES = (process.env.FERRY_BENCH_VMWARE_SIZES ?? '1000,5000').split(',').map(Number);
const RUNS = Number(process.env.FERRY_BENCH_RUNS ?? 3);
const SYNC_LIMITS = [1, 4];
const MODES = ['raw', 'parse', 'ferry'] as const;
type Mode = (typeof MODES)[number];

interface Measurement {
  ms: number;
  peakMiB: number;
  startMiB: number;
  vms: number;
  bytes: number;
}

const rssMiB = (): number => process.resourceUsage().maxRSS / 1024;
const log = pino({ level: 'silent' });

/** The floors: the sync's SOAP requests, each answer read (raw) or read and parsed (parse). */
async function floor(endpoint: string, fingerprint: string, syncLimit: number, parse: boolean): Promise<{ vms: number; bytes: number }> {
  const agent = trustingAgent({ fingerprint }, { maxSockets: syncLimit + 4, connectTimeoutMs: 60_000 });
  const transport = new SoapTransport({ url: sdkUrl(endpoint), agent, log, timeoutMs: 120_000 });
  const client = new VimClient(transport, { username: 'user', password: async () => 'pass' }, log);
  try {
    await client.session();
    const content = await client.serviceContent();
    const refs: MoRef[] = await client.withView(content.rootFolder, ['VirtualMachine'], async (view) =>
      (await client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: ['parent', 'parentVApp'] }], objectSet: [{ view }] })).map((o) => o.obj),
    );
    const pages: MoRef[][] = [];
    for (let i = 0; i < refs.length; i += PAGE) pages.push(refs.slice(i, i + PAGE));
    const propSet = `<propSet><type>VirtualMachine</type>${VM_PATHS.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet>`;
    let bytes = 0;
    await mapLimit(pages, syncLimit, async (page) => {
      const body =
        `${morefXml('_this', content.propertyCollector)}<specSet>${propSet}${page.map((ref) => `<objectSet>${morefXml('obj', ref)}</objectSet>`).join('')}</specSet><options><maxObjects>${PAGE}</maxObjects></options>`;
      const envelope =
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        `<soapenv:Body><RetrievePropertiesEx xmlns="urn:vim25">${body}</RetrievePropertiesEx></soapenv:Body></soapenv:Envelope>`;
      const limit = deadline(120_000, 'RetrievePropertiesEx');
      try {
        const response = await send({
          method: 'POST',
          url: transport.options.url,
          headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"urn:vim25/${transport.version}"`, Cookie: transport.sessionCookie! },
          body: envelope,
          agent,
          signal: limit.signal,
          what: 'RetrievePropertiesEx',
        });
        const text = await readBody(response, 256 * 1024 * 1024, 'RetrievePropertiesEx', limit.signal);
        bytes += text.length;
        if (parse) parseXml(text.toString('utf8'));
      } finally {
        limit.clear();
      }
    });
    return { vms: refs.length, bytes };
  } finally {
    await client.logout();
    agent.destroy();
  }
}

async function ferrySync(endpoint: string, fingerprint: string, syncLimit: number): Promise<{ vms: number; bytes: number }> {
  const source: Source = {
    meta: { name: 'bench', origin: { file: 'bench', line: 1, column: 1 }, apiVersion: 'ferry.dev/v1alpha1', at: {} },
    type: 'vmware',
    inventory_file: null,
    endpoint,
    username: 'user',
    password_from: { env: 'BENCH_PASSWORD' },
    trusted_server_certificate_fingerprint: fingerprint,
    import_limit: 0,
    connection_timeout_ms: 120_000,
    sync_timeout_ms: 120_000,
    sync_limit: syncLimit,
    datacenters: ['/...'],
  };
  const provider = await openVmwareSource(source, { log, env: { BENCH_PASSWORD: 'pass' } });
  try {
    const { instances } = await provider.inventory();
    return { vms: instances.length, bytes: 0 };
  } finally {
    await provider.close();
  }
}

async function measure(mode: Mode, endpoint: string, fingerprint: string, syncLimit: number): Promise<Measurement> {
  const startMiB = rssMiB();
  const started = performance.now();
  const result = mode === 'ferry' ? await ferrySync(endpoint, fingerprint, syncLimit) : await floor(endpoint, fingerprint, syncLimit, mode === 'parse');
  return { ms: performance.now() - started, peakMiB: rssMiB(), startMiB, ...result };
}

// ---------------------------------------------------------------------------------------------
// Parent

const self = fileURLToPath(import.meta.url);

function child(args: string[]): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', self, '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Measurement) : reject(new Error(`child ${args.join(' ')} exited with ${code}`))));
  });
}

const ms = (value: number): string => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);

export default async function bench(): Promise<void> {
  const binary = join(PEER_CACHE, 'vcsim');
  if (!existsSync(binary)) {
    console.log(`skipped: vcsim is not built (${binary}); run bash test/peers/vcsim/install.sh`);
    return;
  }
  console.log(`${cpus().length} cores, Node ${process.version}; vcsim (govmomi ${vcsimVersion()}) on loopback; pages of ${PAGE} VMs; best of ${RUNS}, each in its own process`);
  console.log('');
  console.log('| VMs | sync_limit | raw fetch | fetch + parse | ferry inventory() | ferry / fetch+parse | per VM | peak RSS (ferry / parse / raw) | XML |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const size of SIZES) {
    const started = performance.now();
    const vcsim = await startVcsim(['-dc', '1', '-cluster', '1', '-host', '2', '-standalone-host', '0', '-vm', String(size), '-pg', '2'], { startTimeoutMs: 30 * 60_000 });
    const startup = performance.now() - started;
    try {
      for (const limit of SYNC_LIMITS) {
        const best = new Map<Mode, Measurement>();
        for (let run = 0; run < RUNS; run++) {
          for (const mode of MODES) {
            const m = await child([mode, vcsim.endpoint, vcsim.fingerprint, String(limit)]);
            if (m.vms !== size) throw new Error(`${mode} read ${m.vms} VMs, not ${size}`);
            const before = best.get(mode);
            if (!before || m.ms < before.ms) best.set(mode, m);
          }
        }
        const raw = best.get('raw')!;
        const parse = best.get('parse')!;
        const ferry = best.get('ferry')!;
        const mib = (m: Measurement) => `${Math.round(m.peakMiB - m.startMiB)}`;
        console.log(
          `| ${size.toLocaleString('en')} | ${limit} | ${ms(raw.ms)} | ${ms(parse.ms)} | ${ms(ferry.ms)} | ${(ferry.ms / parse.ms).toFixed(2)}× | ${((ferry.ms / size) * 1000).toFixed(0)} µs | +${mib(ferry)} / +${mib(parse)} / +${mib(raw)} MiB | ${(raw.bytes / 1024 / 1024).toFixed(1)} MiB |`,
        );
      }
    } finally {
      await vcsim.stop();
    }
    console.log(`  (vcsim with ${size.toLocaleString('en')} VMs started in ${ms(startup)})`);
  }
}

if (process.argv[1] === self && process.argv[2] === '--child') {
  const [mode, endpoint, fingerprint, limit] = process.argv.slice(3) as [Mode, string, string, string];
  console.log(JSON.stringify(await measure(mode, endpoint, fingerprint, Number(limit))));
}
