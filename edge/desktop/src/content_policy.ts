import { isCoreUrl, type Headers } from './origin_guard.js'

/**
 * The Content-Security-Policy the shell adds to every response of the core:
 * scripts, styles and connections from the core's own origin only, no inline
 * script, no plugins, no framing, forms posting back to the core. Chromium
 * enforces it on top of any policy the core sends itself.
 *
 * No 'unsafe-eval': the pages run Alpine.js's CSP build, which evaluates
 * attribute expressions without `new Function`; the browser test of the
 * login page fails on any policy violation.
 */
export const CORE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ')

const CSP_HEADER = 'Content-Security-Policy'

/** Response headers for `url`, with the shell's policy when the response comes from the core. */
export function headersWithPolicy(url: string, origin: string, headers: Headers): Headers {
  if (!isCoreUrl(url, origin)) {
    return headers
  }
  const policies = Object.entries(headers)
    .filter(([name]) => name.toLowerCase() === CSP_HEADER.toLowerCase())
    .flatMap(([, value]) => value)
  const others = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== CSP_HEADER.toLowerCase())
  )
  return { ...others, [CSP_HEADER]: [...policies, CORE_CONTENT_SECURITY_POLICY] }
}

export interface StartProblem {
  /** One sentence a clinic user can act on. */
  summary: string
  /** What the core said last, for whoever supports the clinic. */
  details: string
  /** Where the full log of this launch is kept. */
  logFile: string
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char])
}

/**
 * The screen shown when the core cannot start: a self-contained page (no
 * script at all, its own policy forbids any) loaded by the main process as a
 * data: URL, so it needs nothing from the core that failed.
 */
export function startProblemPage(problem: StartProblem): string {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Outpost could not start</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 46rem; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; color: #a4000f; }
pre { background: #f3f3f3; padding: 1rem; overflow: auto; max-height: 20rem; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>Outpost could not start</h1>
<p>${escapeHtml(problem.summary)}</p>
<p>Close this window and open Outpost again. If this screen comes back, send the log file
<code>${escapeHtml(problem.logFile)}</code> to your support team. The records entered in Outpost stay on this computer.</p>
<h2>Last messages</h2>
<pre>${escapeHtml(problem.details)}</pre>
</body>
</html>`
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`
}
