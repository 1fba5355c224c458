// A small vim25 client: the dozen SOAP methods Ferry needs, over one SoapTransport and one session.
// Property reads go through RetrievePropertiesEx and follow its continuation token
// (ContinueRetrievePropertiesEx) until the server has sent everything; a read abandoned halfway
// releases the server's result set (CancelRetrievePropertiesEx). A session that expired is
// renewed once by `session()` callers through `run`.

import type { Logger } from 'pino';
import { ProviderError } from '../ports.js';
import { isFault, localizedFault, VimFault } from './faults.js';
import { abortReason } from './http.js';
import type { CallOptions, SoapTransport } from './soap.js';
import { moref, morefXml, str, type MoRef } from './values.js';
import { child, children, escapeXml, type XmlElement } from './xml.js';

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  searchIndex: MoRef;
  customFieldsManager: MoRef | null;
  about: { apiType: string; apiVersion: string; instanceUuid: string; fullName: string };
}

/** Which properties to read of which type. */
export interface PropertySpec {
  type: string;
  paths: readonly string[];
}

/** Where to read: one object, or every object a ContainerView holds. */
export type ObjectSpec = { obj: MoRef } | { view: MoRef };

export interface PropertyFilter {
  propSet: readonly PropertySpec[];
  objectSet: readonly ObjectSpec[];
}

/** A property the server could not return for an object, and why. */
export interface MissingProperty {
  path: string;
  fault: VimFault;
}

export interface ObjectContent {
  obj: MoRef;
  props: Map<string, XmlElement>;
  missing: MissingProperty[];
}

export interface RetrieveOptions extends CallOptions {
  /** Objects per page the server should send (a hint; vCenter may send fewer). */
  maxObjects?: number;
}

export type TaskState = 'queued' | 'running' | 'success' | 'error';

function filterXml(filter: PropertyFilter): string {
  let xml = '<specSet>';
  for (const prop of filter.propSet) {
    xml += `<propSet><type>${escapeXml(prop.type)}</type>`;
    for (const p of prop.paths) xml += `<pathSet>${escapeXml(p)}</pathSet>`;
    xml += '</propSet>';
  }
  for (const spec of filter.objectSet) {
    if ('obj' in spec) {
      xml += `<objectSet>${morefXml('obj', spec.obj)}</objectSet>`;
    } else {
      xml +=
        `<objectSet>${morefXml('obj', spec.view)}<skip>true</skip>` +
        '<selectSet xsi:type="TraversalSpec"><name>view</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet>';
    }
  }
  return `${xml}</specSet>`;
}

function objectContents(returnval: XmlElement | undefined, context: string): ObjectContent[] {
  const out: ObjectContent[] = [];
  for (const object of children(returnval, 'objects')) {
    const obj = moref(child(object, 'obj'));
    if (!obj) continue;
    const props = new Map<string, XmlElement>();
    for (const prop of children(object, 'propSet')) {
      const name = str(child(prop, 'name'));
      const val = child(prop, 'val');
      if (name !== undefined && val !== undefined) props.set(name, val);
    }
    const missing: MissingProperty[] = [];
    for (const entry of children(object, 'missingSet')) {
      const path = str(child(entry, 'path')) ?? '';
      const fault = child(entry, 'fault');
      const vimFault = fault ? localizedFault(`${context}: ${obj.value} ${path}`, fault) : new VimFault('vim-fault', '', `${context}: ${obj.value} ${path} is missing`);
      missing.push({ path, fault: vimFault });
    }
    // An expired or absent session does not fail RetrievePropertiesEx: it fails every property.
    const unauthenticated = missing.find((m) => m.fault.fault === 'NotAuthenticated');
    if (unauthenticated) throw unauthenticated.fault;
    out.push({ obj, props, missing });
  }
  return out;
}

export function parseServiceContent(response: XmlElement): ServiceContent {
  const value = child(response, 'returnval');
  const ref = (name: string): MoRef => {
    const found = moref(child(value, name));
    if (!found) throw new ProviderError('bad-response', `RetrieveServiceContent: the answer has no ${name}`);
    return found;
  };
  const about = child(value, 'about');
  return {
    rootFolder: ref('rootFolder'),
    propertyCollector: ref('propertyCollector'),
    viewManager: ref('viewManager'),
    sessionManager: ref('sessionManager'),
    searchIndex: ref('searchIndex'),
    customFieldsManager: moref(child(value, 'customFieldsManager')) ?? null,
    about: {
      apiType: str(child(about, 'apiType')) ?? '',
      apiVersion: str(child(about, 'apiVersion')) ?? '',
      instanceUuid: str(child(about, 'instanceUuid')) ?? '',
      fullName: str(child(about, 'fullName')) ?? '',
    },
  };
}

export interface Credentials {
  username: string;
  password(): Promise<string>;
}

/** What the client logs (a pino logger, or the mover's own lines). */
export type VimLog = Pick<Logger, 'debug' | 'info' | 'warn'>;

export class VimClient {
  private content: ServiceContent | null = null;
  private loggedIn: Promise<void> | null = null;

  /** `credentials` null: the client only uses a session adopted with `adoptSession`, and cannot log in again. */
  constructor(
    readonly transport: SoapTransport,
    private readonly credentials: Credentials | null,
    private readonly log: VimLog,
  ) {}

  /**
   * Works in a session made elsewhere (the value of its `vmware_soap_session` cookie, e.g. a
   * clone of another client's session). When it ends, calls fail with `not-authenticated`.
   */
  adoptSession(value: string): void {
    this.transport.adoptSession(value);
    this.loggedIn = Promise.resolve();
  }

  /** The service content, read once (RetrieveServiceContent needs no session). */
  async serviceContent(): Promise<ServiceContent> {
    if (this.content === null) {
      const response = await this.transport.call('RetrieveServiceContent', '<_this type="ServiceInstance">ServiceInstance</_this>');
      this.content = parseServiceContent(response);
      if (this.content.about.apiVersion !== '') this.transport.version = this.content.about.apiVersion;
    }
    return this.content;
  }

  /** Logs in unless a session is open; concurrent callers share one Login. */
  async session(): Promise<void> {
    if (this.loggedIn === null) {
      this.loggedIn = this.login().catch((error: unknown) => {
        this.loggedIn = null;
        throw error;
      });
    }
    return this.loggedIn;
  }

  private async login(): Promise<void> {
    const credentials = this.credentials;
    if (credentials === null) {
      throw new VimFault('not-authenticated', 'NotAuthenticated', `${this.transport.options.url.host}: the session this client was given has ended (logged out or expired), and it has no credentials to log in again`);
    }
    const content = await this.serviceContent();
    const password = await credentials.password();
    try {
      await this.transport.call(
        'Login',
        `${morefXml('_this', content.sessionManager)}<userName>${escapeXml(credentials.username)}</userName><password>${escapeXml(password)}</password>`,
      );
    } catch (error) {
      if (isFault(error, 'InvalidLogin')) {
        throw new VimFault('invalid-login', 'InvalidLogin', `${this.transport.options.url.host} rejected the user name or password of ${credentials.username} (InvalidLogin)`);
      }
      throw error;
    }
    if (this.transport.sessionCookie === null) {
      throw new ProviderError('bad-response', `Login: ${this.transport.options.url.host} set no session cookie`);
    }
    this.log.debug({ user: credentials.username }, 'logged in to vSphere');
  }

  /** Runs `work` in a session; a session found expired (NotAuthenticated) is renewed once. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.session();
    try {
      return await work();
    } catch (error) {
      if (!isFault(error, 'NotAuthenticated')) throw error;
      this.log.info('the vSphere session expired; logging in again');
      this.loggedIn = null;
      this.transport.forgetSession();
      await this.session();
      return work();
    }
  }

  /** Whether the current session is still valid (SessionManager.currentSession is set). */
  async sessionAlive(): Promise<boolean> {
    const content = await this.serviceContent();
    try {
      const [found] = await this.retrieve({ propSet: [{ type: 'SessionManager', paths: ['currentSession'] }], objectSet: [{ obj: content.sessionManager }] });
      return found?.props.get('currentSession') !== undefined;
    } catch (error) {
      if (isFault(error, 'NotAuthenticated')) return false;
      throw error;
    }
  }

  async logout(): Promise<void> {
    if (this.loggedIn === null) return;
    this.loggedIn = null;
    const content = await this.serviceContent();
    try {
      await this.transport.call('Logout', morefXml('_this', content.sessionManager));
    } finally {
      this.transport.forgetSession();
    }
  }

  /** A one-use ticket that lets another connection join this session's user (SessionManager.AcquireCloneTicket). */
  async acquireCloneTicket(): Promise<string> {
    const content = await this.serviceContent();
    const ticket = str(child(await this.transport.call('AcquireCloneTicket', morefXml('_this', content.sessionManager)), 'returnval'));
    if (ticket === undefined || ticket === '') throw new ProviderError('bad-response', 'AcquireCloneTicket: the answer holds no ticket');
    return ticket;
  }

  async createContainerView(container: MoRef, types: readonly string[], recursive = true): Promise<MoRef> {
    const content = await this.serviceContent();
    const body = morefXml('_this', content.viewManager) + morefXml('container', container) + types.map((t) => `<type>${escapeXml(t)}</type>`).join('') + `<recursive>${recursive}</recursive>`;
    const view = moref(child(await this.transport.call('CreateContainerView', body), 'returnval'));
    if (!view) throw new ProviderError('bad-response', 'CreateContainerView: the answer names no view');
    return view;
  }

  async destroyView(view: MoRef): Promise<void> {
    await this.transport.call('DestroyView', morefXml('_this', view));
  }

  /** Runs `work` over a ContainerView of `types` under `container`, destroying the view afterwards. */
  async withView<T>(container: MoRef, types: readonly string[], work: (view: MoRef) => Promise<T>): Promise<T> {
    const view = await this.createContainerView(container, types);
    try {
      return await work(view);
    } finally {
      await this.destroyView(view).catch((error: unknown) => this.log.warn({ view: view.value, error: String(error) }, 'could not destroy a container view'));
    }
  }

  /**
   * Reads properties page by page: RetrievePropertiesEx, then ContinueRetrievePropertiesEx for as
   * long as the server returns a token. A consumer that stops early cancels the rest.
   */
  async *retrievePages(filter: PropertyFilter, options: RetrieveOptions = {}): AsyncGenerator<ObjectContent[]> {
    const content = await this.serviceContent();
    const collector = morefXml('_this', content.propertyCollector);
    const call: CallOptions = {};
    if (options.timeoutMs !== undefined) call.timeoutMs = options.timeoutMs;
    if (options.signal !== undefined) call.signal = options.signal;
    const maxObjects = options.maxObjects !== undefined ? `<maxObjects>${options.maxObjects}</maxObjects>` : '';
    let result = child(await this.transport.call('RetrievePropertiesEx', `${collector}${filterXml(filter)}<options>${maxObjects}</options>`, call), 'returnval');
    let token: string | undefined;
    try {
      for (;;) {
        token = str(child(result, 'token')) || undefined;
        const page = objectContents(result, 'RetrievePropertiesEx');
        if (page.length > 0 || token === undefined) yield page;
        if (token === undefined) return;
        const next = await this.transport.call('ContinueRetrievePropertiesEx', `${collector}<token>${escapeXml(token)}</token>`, call);
        token = undefined;
        result = child(next, 'returnval');
      }
    } finally {
      if (token !== undefined) {
        await this.transport.call('CancelRetrievePropertiesEx', `${collector}<token>${escapeXml(token)}</token>`).catch((error: unknown) => {
          this.log.debug({ error: String(error) }, 'CancelRetrievePropertiesEx failed');
        });
      }
    }
  }

  /** Every object of a property read, all pages. */
  async retrieve(filter: PropertyFilter, options: RetrieveOptions = {}): Promise<ObjectContent[]> {
    const out: ObjectContent[] = [];
    for await (const page of this.retrievePages(filter, options)) out.push(...page);
    return out;
  }

  /**
   * The VMs with this instance UUID (FindAllByUuid; servers without it, such as vcsim, answer
   * MethodNotFound and are asked FindByUuid, which finds at most one).
   */
  async findVmsByUuid(uuid: string): Promise<MoRef[]> {
    const content = await this.serviceContent();
    const body = `${morefXml('_this', content.searchIndex)}<uuid>${escapeXml(uuid)}</uuid><vmSearch>true</vmSearch><instanceUuid>true</instanceUuid>`;
    try {
      const response = await this.transport.call('FindAllByUuid', body);
      return children(response, 'returnval').flatMap((value) => moref(value) ?? []);
    } catch (error) {
      if (!isFault(error, 'MethodNotFound')) throw error;
      const found = moref(child(await this.transport.call('FindByUuid', body), 'returnval'));
      return found ? [found] : [];
    }
  }

  async powerOffVm(vm: MoRef): Promise<MoRef> {
    return this.task('PowerOffVM_Task', morefXml('_this', vm));
  }

  async powerOnVm(vm: MoRef): Promise<MoRef> {
    return this.task('PowerOnVM_Task', morefXml('_this', vm));
  }

  /** Asks VMware Tools to shut the guest down; returns at once (the VM powers off later). */
  async shutdownGuest(vm: MoRef): Promise<void> {
    await this.transport.call('ShutdownGuest', morefXml('_this', vm));
  }

  private async task(method: string, body: string): Promise<MoRef> {
    const task = moref(child(await this.transport.call(method, body), 'returnval'));
    if (!task) throw new ProviderError('bad-response', `${method}: the answer names no task`);
    return task;
  }

  /** A task's state, and its fault when it failed. */
  async taskState(task: MoRef): Promise<{ state: TaskState; error: VimFault | null }> {
    const [found] = await this.retrieve({ propSet: [{ type: 'Task', paths: ['info.state', 'info.error'] }], objectSet: [{ obj: task }] });
    const state = (str(found?.props.get('info.state')) ?? 'queued') as TaskState;
    const error = found?.props.get('info.error');
    return { state, error: state === 'error' ? (error ? localizedFault(`task ${task.value}`, error) : new VimFault('task-failed', '', `task ${task.value} failed`)) : null };
  }

  /** Polls a task until it succeeds (resolves) or fails (throws its fault). */
  async waitForTask(task: MoRef, options: { timeoutMs: number; signal?: AbortSignal; pollMs?: number }): Promise<void> {
    const end = Date.now() + options.timeoutMs;
    let delay = options.pollMs ?? 100;
    for (;;) {
      const { state, error } = await this.taskState(task);
      if (state === 'success') return;
      if (state === 'error') throw error!;
      if (Date.now() >= end) throw new ProviderError('timeout', `task ${task.value} did not end within ${options.timeoutMs} ms`);
      await sleep(Math.min(delay, Math.max(0, end - Date.now())), options.signal);
      delay = Math.min(delay * 2, 2000);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal, 'waiting'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!, 'waiting'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
