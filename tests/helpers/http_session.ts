/**
 * A browser-like HTTP client for tests: keeps the cookies a node sets and
 * sends them back, so page sessions work across requests.
 */
export class HttpSession {
  #cookies = new Map<string, string>()

  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {}
  ) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {}
  ) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.#cookies.size > 0
          ? { cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
          : {}),
        ...this.headers,
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair.indexOf('=')
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
    const text = await response.text()
    let json: any = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {
      json = null
    }
    return { status: response.status, json, text }
  }

  /** Only the status of a request: for checks of who may do what. */
  async status(method: string, path: string, body?: unknown) {
    const { status } = await this.request(method, path, body)
    return status
  }

  login(username: string, password: string) {
    return this.request('POST', '/auth/login', { username, password })
  }
}
