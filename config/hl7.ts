import env from '#start/env'

/**
 * The HL7v2 MLLP listener (DESIGN.md section 7): on by default on a gateway
 * (port 2575), on an iCDR only when HL7_MLLP_PORT is set, never on the
 * loopback-only shell roles.
 */
function listenPort(): number | null {
  const role = env.get('APP_ROLE')
  const setting = env.get('HL7_MLLP_PORT')
  if (setting === 'off' || role === 'desktop' || role === 'android' || role === 'portal') {
    return null
  }
  if (setting !== undefined) {
    return Number(setting)
  }
  return role === 'gateway' ? 2575 : null
}

const hl7Config = {
  port: listenPort(),
  host: env.get('HL7_MLLP_HOST', env.get('HOST', '0.0.0.0')),
  allowFrom: env
    .get('HL7_ALLOW_FROM', '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean),
  tls: {
    cert: env.get('HL7_TLS_CERT'),
    key: env.get('HL7_TLS_KEY'),
    ca: env.get('HL7_TLS_CA'),
  },
  /** One message at most; a bigger frame closes its connection. */
  maxFrameBytes: 1024 * 1024,
  maxConnections: 50,
  idleTimeoutMs: 5 * 60_000,
}

export default hl7Config
