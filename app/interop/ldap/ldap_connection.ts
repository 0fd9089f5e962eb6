import { readFile } from 'node:fs/promises'
import type { ConnectionOptions } from 'node:tls'
import { Client, NoSuchObjectError, ResultCodeError, type Entry } from 'ldapts'
import type { ResolvedLdapConfig } from '#interop/ldap/ldap_config'
import { LdapError } from '#interop/ldap/ldap_error'

/**
 * One connection to the directory, TLS set up before it is handed out: LDAPS connects over TLS,
 * StartTLS upgrades the plain connection before any bind so no password crosses in clear
 * text, and the server certificate is checked against the configured CA and the URL's host.
 * Errors come back as LdapError, except a refused bind, which callers judge themselves.
 * @see https://www.rfc-editor.org/rfc/rfc4513#section-3
 * @see https://www.rfc-editor.org/rfc/rfc4511#section-4.14
 */
export class LdapConnection {
  private constructor(
    private readonly client: Client,
    private readonly config: ResolvedLdapConfig
  ) {}

  /** Opens a connection; close it in a `finally`. */
  static async open(config: ResolvedLdapConfig): Promise<LdapConnection> {
    const tlsOptions = await tlsOptionsFor(config)
    const client = new Client({
      url: config.url,
      connectTimeout: config.connectMs,
      timeout: config.operationMs,
      // Passing TLS options to the client makes it connect with TLS at once, so StartTLS gets
      // them only when it upgrades.
      tlsOptions: config.transport === 'ldaps' ? tlsOptions : undefined,
    })
    const connection = new LdapConnection(client, config)
    if (config.transport === 'starttls') {
      try {
        await connection.startTls(tlsOptions)
      } catch (error) {
        await connection.close()
        throw error
      }
    }
    return connection
  }

  /**
   * A simple bind. A server refusal (invalid credentials and the like) is rethrown as the
   * client's ResultCodeError for the caller to judge; transport failures become LdapError.
   * @see https://www.rfc-editor.org/rfc/rfc4511#section-4.2
   */
  async bind(dn: string, password: string): Promise<void> {
    try {
      await this.client.bind(dn, password)
    } catch (error) {
      if (error instanceof ResultCodeError) {
        throw error
      }
      throw transportError(this.config.url, error)
    }
  }

  /**
   * A subtree search for string attributes. `sizeLimit` 2 is enough to tell one entry from
   * several. Referrals are not followed.
   * @see https://www.rfc-editor.org/rfc/rfc4511#section-4.5
   */
  async search(
    base: string,
    filter: string,
    attributes: string[],
    sizeLimit = 0
  ): Promise<Entry[]> {
    try {
      const result = await this.client.search(base, {
        scope: 'sub',
        filter: forClientParser(filter),
        attributes,
        sizeLimit,
        timeLimit: Math.ceil(this.config.operationMs / 1000),
      })
      return result.searchEntries
    } catch (error) {
      if (error instanceof NoSuchObjectError) {
        throw LdapError.config(`search base ${base} does not exist or is not readable`)
      }
      throw transportError(this.config.url, error)
    }
  }

  /** Unbinds and closes the socket; never throws, so it is safe in a `finally`. */
  async close(): Promise<void> {
    try {
      await this.client.unbind()
    } catch {
      // The socket is destroyed either way; an unbind that fails has nothing left to clean up.
    }
  }

  private async startTls(tlsOptions: ConnectionOptions): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`StartTLS did not complete within ${this.config.operationMs} ms`))
      }, this.config.operationMs)
    })
    try {
      // The handshake after the extended operation has no timeout of its own.
      await Promise.race([this.client.startTLS({ ...tlsOptions }), deadline])
    } catch (error) {
      // A result code here is the server refusing the StartTLS request itself.
      throw error instanceof ResultCodeError
        ? LdapError.tls(this.config.url, error)
        : transportError(this.config.url, error)
    } finally {
      clearTimeout(timer)
    }
  }
}

/**
 * A transport failure as LdapError: certificate and handshake problems are E_LDAP_TLS, so an
 * operator sees a trust problem rather than an outage; everything else is E_LDAP_UNAVAILABLE.
 */
export function transportError(url: string, error: unknown): LdapError {
  if (error instanceof LdapError) {
    return error
  }
  return isTlsError(error) ? LdapError.tls(url, error) : LdapError.unavailable(url, error)
}

/**
 * ldapts 9 parses string filters itself and turns each `\xx` escape into one UTF-16 character,
 * so the UTF-8 escapes of a non-ASCII value (`zo\c3\ab`) would reach the server as four octets
 * instead of two. Runs of escapes that form valid UTF-8 are handed over as the characters they
 * encode, which the client writes back as the same octets; all other escapes pass unchanged.
 * @see https://www.rfc-editor.org/rfc/rfc4515#section-3
 */
export function forClientParser(filter: string): string {
  const utf8 = new TextDecoder('utf-8', { fatal: true })
  return filter.replaceAll(/(?:\\[89a-f][\da-f])+/gi, (run) => {
    const octets = Buffer.from(run.replaceAll('\\', ''), 'hex')
    try {
      return utf8.decode(octets)
    } catch {
      return run
    }
  })
}

async function tlsOptionsFor(config: ResolvedLdapConfig): Promise<ConnectionOptions> {
  const options: ConnectionOptions = {
    host: config.host,
    servername: config.servername,
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
  }
  if (config.ca?.pem) {
    options.ca = [config.ca.pem]
  } else if (config.ca?.file) {
    try {
      options.ca = [await readFile(config.ca.file, 'utf8')]
    } catch (error) {
      throw LdapError.config(`tlsCaFile ${config.ca.file} cannot be read (${String(error)})`)
    }
  }
  return options
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : ''
}

function isTlsError(error: unknown): boolean {
  const code = errorCode(error)
  return /^ERR_(TLS|SSL)_|CERT|ISSUER|SIGNATURE|HOSTNAME/.test(code)
}
