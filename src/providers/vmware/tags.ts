// vCenter tags, as migration-manager imports them: `tag.<category>` config entries whose value is
// the VM's tags of that category, comma-joined (sorted here, so a snapshot does not change when
// vCenter lists them in another order). Tags live in the vAPI REST service (`/rest`), with its own
// session; ESXi has none.

import type https from 'node:https';
import { ProviderError } from '../ports.js';
import { deadline, readBody, send } from './http.js';
import { mapLimit } from '../../util/map-limit.js';

const JSON_LIMIT = 64 * 1024 * 1024;
const REST_SESSION_HEADER = 'vmware-api-session-id';

export interface RestOptions {
  /** The REST root, `https://vcenter/rest`. */
  base: URL;
  agent: https.Agent;
  timeoutMs: number;
  username: string;
  password: string;
  /** Requests in flight at once. */
  concurrency: number;
}

async function request(options: RestOptions, method: 'GET' | 'POST' | 'DELETE', path: string, headers: Record<string, string>, body?: unknown): Promise<unknown> {
  const url = new URL(options.base.href.replace(/\/$/, '') + path);
  const what = `vCenter REST ${method} ${url.pathname}`;
  const limit = deadline(options.timeoutMs, what);
  try {
    const response = await send({
      method,
      url,
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      agent: options.agent,
      signal: limit.signal,
      what,
    });
    const text = (await readBody(response, JSON_LIMIT, what, limit.signal)).toString('utf8');
    const status = response.statusCode ?? 0;
    if (status === 401 || status === 403) throw new ProviderError('no-permission', `${what}: HTTP ${status} (the account may not read tags)`);
    if (status >= 400) throw new ProviderError('http-error', `${what}: HTTP ${status}`);
    if (text.trim() === '') return undefined;
    try {
      return (JSON.parse(text) as { value?: unknown }).value;
    } catch {
      throw new ProviderError('bad-response', `${what}: the answer is not JSON`);
    }
  } finally {
    limit.clear();
  }
}

function idPath(id: string): string {
  return `id:${encodeURIComponent(id)}`;
}

/** Every VM's `tag.<category>` entries, by VM id (moref value). */
export async function readVmTags(options: RestOptions): Promise<Map<string, Record<string, string>>> {
  const basic = Buffer.from(`${options.username}:${options.password}`).toString('base64');
  const session = await request(options, 'POST', '/com/vmware/cis/session', { Authorization: `Basic ${basic}` });
  if (typeof session !== 'string' || session === '') throw new ProviderError('bad-response', 'vCenter REST login returned no session');
  const auth = { [REST_SESSION_HEADER]: session };
  try {
    const categoryIds = ((await request(options, 'GET', '/com/vmware/cis/tagging/category', auth)) as string[] | undefined) ?? [];
    const categories = new Map<string, string>();
    await mapLimit(categoryIds, options.concurrency, async (id) => {
      const category = (await request(options, 'GET', `/com/vmware/cis/tagging/category/${idPath(id)}`, auth)) as { name?: string } | undefined;
      categories.set(id, category?.name ?? id);
    });
    const tagIds = ((await request(options, 'GET', '/com/vmware/cis/tagging/tag', auth)) as string[] | undefined) ?? [];
    const tags = new Map<string, { name: string; category: string }>();
    await mapLimit(tagIds, options.concurrency, async (id) => {
      const tag = (await request(options, 'GET', `/com/vmware/cis/tagging/tag/${idPath(id)}`, auth)) as { name?: string; category_id?: string } | undefined;
      tags.set(id, { name: tag?.name ?? id, category: categories.get(tag?.category_id ?? '') ?? tag?.category_id ?? '' });
    });
    const byVm = new Map<string, Map<string, Set<string>>>();
    if (tagIds.length > 0) {
      const attached = ((await request(options, 'POST', '/com/vmware/cis/tagging/tag-association?~action=list-attached-objects-on-tags', auth, { tag_ids: tagIds })) as
        | { tag_id: string; object_ids?: { id: string; type: string }[] }[]
        | undefined) ?? [];
      for (const entry of attached) {
        const tag = tags.get(entry.tag_id);
        if (!tag) continue;
        for (const object of entry.object_ids ?? []) {
          if (object.type !== 'VirtualMachine') continue;
          let categoriesOfVm = byVm.get(object.id);
          if (!categoriesOfVm) byVm.set(object.id, (categoriesOfVm = new Map()));
          let names = categoriesOfVm.get(tag.category);
          if (!names) categoriesOfVm.set(tag.category, (names = new Set()));
          names.add(tag.name);
        }
      }
    }
    const out = new Map<string, Record<string, string>>();
    for (const [vm, categoriesOfVm] of byVm) {
      const config: Record<string, string> = {};
      for (const [category, names] of [...categoriesOfVm].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        config[`tag.${category}`] = [...names].sort().join(',');
      }
      out.set(vm, config);
    }
    return out;
  } finally {
    await request(options, 'DELETE', '/com/vmware/cis/session', auth).catch(() => undefined);
  }
}
