import { createServer, type Server, type ServerResponse } from 'node:http'
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, normalize, relative } from 'node:path'
import { generateRoleKeys, type RoleKey } from '#ota/ota_keys'
import { TufRepository, type TufRepositoryOptions } from '#ota/tuf_repository'
import { TUF_ROLES, type TufRole } from '#ota/tuf_roles'
import { LocalKeySigner, type TufSigner } from '#ota/tuf_signer'
import { OtaUpdater, type OtaUpdaterOptions } from '#ota/tuf_updater'

type Misbehaviour =
  | { kind: 'replace'; bytes: Uint8Array }
  | { kind: 'cut'; times: number }
  | { kind: 'endless' }
  | { kind: 'stall' }

/**
 * A static file host for a TUF repository directory, like any mirror, that can be told to
 * misbehave for one URL path: serve other bytes, drop the connection half-way, stream
 * without end or never answer.
 */
export class TufHttpServer {
  /** Every requested URL path, in order. */
  readonly requests: string[] = []
  #rules = new Map<string, Misbehaviour>()

  private constructor(
    private readonly server: Server,
    /** The served directory; point it at a copy of an older repository to replay it. */
    public root: string
  ) {}

  static async start(root: string): Promise<TufHttpServer> {
    const server = createServer()
    const host = new TufHttpServer(server, root)
    server.on('request', (request, response) => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname)
      host.requests.push(path)
      host.#serve(path, response).catch(() => response.destroy())
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return host
  }

  get url(): string {
    const { port } = this.server.address() as { port: number }
    return `http://127.0.0.1:${port}`
  }

  /** Serves `bytes` at `path` instead of the file. */
  replace(path: string, bytes: Uint8Array): void {
    this.#rules.set(path, { kind: 'replace', bytes })
  }

  /** The next `times` responses at `path` announce the full length and stop half-way. */
  cut(path: string, times = 1): void {
    this.#rules.set(path, { kind: 'cut', times })
  }

  /** Streams bytes at `path` until the client hangs up. */
  endless(path: string): void {
    this.#rules.set(path, { kind: 'endless' })
  }

  /** Accepts requests at `path` and never answers them. */
  stall(path: string): void {
    this.#rules.set(path, { kind: 'stall' })
  }

  /** Back to serving the files as they are. */
  behave(): void {
    this.#rules.clear()
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }

  async #serve(path: string, response: ServerResponse): Promise<void> {
    const rule = this.#rules.get(path)
    if (rule?.kind === 'stall') {
      return
    }
    if (rule?.kind === 'endless') {
      return endlessBody(response)
    }
    const bytes = rule?.kind === 'replace' ? rule.bytes : await this.#read(path)
    if (!bytes) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': bytes.byteLength,
    })
    if (rule?.kind === 'cut') {
      if (--rule.times <= 0) {
        this.#rules.delete(path)
      }
      response.write(bytes.subarray(0, Math.floor(bytes.byteLength / 2)), () => response.destroy())
      return
    }
    response.end(bytes)
  }

  async #read(path: string): Promise<Buffer | undefined> {
    const file = normalize(join(this.root, path))
    if (relative(this.root, file).startsWith('..')) {
      return undefined
    }
    return readFile(file).catch(() => undefined)
  }
}

function endlessBody(response: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 0x41)
  let sent = 0
  response.writeHead(200, { 'content-type': 'application/octet-stream' })
  const pump = () => {
    while (!response.destroyed && sent < 256 * 1024 * 1024) {
      sent += chunk.length
      if (!response.write(chunk)) {
        response.once('drain', pump)
        return
      }
    }
    response.end()
  }
  response.on('close', () => response.removeAllListeners('drain'))
  pump()
}

/** Every file under `dir` with its bytes, keyed by relative path: to compare before and after. */
export async function filesIn(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  const files: Record<string, string> = {}
  for (const entry of entries.filter((item) => item.isFile())) {
    const path = join(entry.parentPath, entry.name)
    files[relative(dir, path)] = await readFile(path, 'base64')
  }
  return files
}

/** An edge: its trusted metadata, its target directory and its updater. */
export interface OtaEdge {
  updater: OtaUpdater
  metadataDir: string
  targetDir: string
}

/**
 * A published TUF repository in a temporary directory with fresh keys for every role,
 * served over HTTP, and edges that trust its first root.
 */
export class OtaFixture {
  private constructor(
    readonly dir: string,
    readonly keys: Record<TufRole, RoleKey[]>,
    readonly repository: TufRepository,
    readonly server: TufHttpServer
  ) {}

  static async create(
    options: Partial<Omit<TufRepositoryOptions, 'dir' | 'signers'>> = {}
  ): Promise<OtaFixture> {
    const dir = await mkdtemp(join(tmpdir(), 'outpost-tuf-'))
    const roles = Object.keys(TUF_ROLES) as TufRole[]
    const keys = Object.fromEntries(roles.map((role) => [role, generateRoleKeys(role)])) as Record<
      TufRole,
      RoleKey[]
    >
    const repositoryDir = join(dir, 'repository')
    const repository = new TufRepository({
      ...options,
      dir: repositoryDir,
      signers: signersFor(keys),
    })
    await repository.init()
    const server = await TufHttpServer.start(repositoryDir)
    return new OtaFixture(dir, keys, repository, server)
  }

  get repositoryDir(): string {
    return join(this.dir, 'repository')
  }

  /** Signers for the fixture's keys, replaced by `overrides`. */
  signers(overrides: Partial<Record<TufRole, TufSigner>> = {}): Record<TufRole, TufSigner> {
    return { ...signersFor(this.keys), ...overrides }
  }

  /** Another handle on the same repository directory, e.g. with other signers or a clock. */
  repositoryWith(options: Partial<Omit<TufRepositoryOptions, 'dir'>> = {}): TufRepository {
    return new TufRepository({
      ...options,
      dir: this.repositoryDir,
      signers: options.signers ?? this.signers(),
    })
  }

  /** A new edge that pins the repository's first root, as if enrolled before any rotation. */
  async edge(options: Partial<OtaUpdaterOptions> = {}): Promise<OtaEdge> {
    const edgeDir = await mkdtemp(join(this.dir, 'edge-'))
    const metadataDir = join(edgeDir, 'metadata')
    const targetDir = join(edgeDir, 'targets')
    const root = await readFile(join(this.repositoryDir, 'metadata', '1.root.json'))
    await OtaUpdater.pinRoot(metadataDir, root)
    const updater = new OtaUpdater({
      metadataDir,
      targetDir,
      metadataBaseUrl: `${this.server.url}/metadata`,
      targetBaseUrl: `${this.server.url}/targets`,
      fetchTimeoutMs: 5_000,
      ...options,
    })
    return { updater, metadataDir, targetDir }
  }

  /** A copy of the repository as it is now, to replay later. */
  async copyRepository(): Promise<string> {
    const copy = await mkdtemp(join(this.dir, 'replay-'))
    await cp(this.repositoryDir, copy, { recursive: true })
    return copy
  }

  async cleanup(): Promise<void> {
    await this.server.close()
    await rm(this.dir, { recursive: true, force: true })
  }
}

function signersFor(keys: Record<TufRole, RoleKey[]>): Record<TufRole, TufSigner> {
  const roles = Object.keys(TUF_ROLES) as TufRole[]
  const signers = roles.map((role) => [role, new LocalKeySigner(keys[role])])
  return Object.fromEntries(signers) as Record<TufRole, TufSigner>
}
