import { defineConfig } from '@adonisjs/shield'

/**
 * Shield guards the pages only (the `page` middleware of start/kernel.ts):
 * their forms carry a CSRF token from the session. APIs, FHIR and sync are
 * called with bearer tokens or JSON bodies and never see it.
 */
const shieldConfig = defineConfig({
  /* Alpine evaluates its expressions at run time; the pages load scripts from this node only. */
  /*
   * Pages load scripts, styles and images from this node only; Alpine's CSP
   * build needs no 'unsafe-eval'. Inline style attributes (chart widths and
   * swatches) are the one inline thing allowed.
   */
  csp: {
    enabled: true,
    directives: {
      defaultSrc: [`'self'`],
      scriptSrc: [`'self'`],
      styleSrc: [`'self'`],
      styleSrcAttr: [`'unsafe-inline'`],
      imgSrc: [`'self'`, 'data:'],
      connectSrc: [`'self'`],
      objectSrc: [`'none'`],
      baseUri: [`'self'`],
      formAction: [`'self'`],
      frameAncestors: [`'none'`],
    },
    reportOnly: false,
  },
  csrf: {
    enabled: true,
    exceptRoutes: [],
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: { enabled: true, action: 'DENY' },
  /* A loopback shell or a LAN gateway may speak plain HTTP: HSTS is for the reverse proxy to set. */
  hsts: { enabled: false, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})

export default shieldConfig
