import { lossyProxy } from '#tests/helpers/lossy_proxy'

export interface SwitchableProxy {
  url: string
  /** Connections are refused until `online()`: the far side looks unreachable. */
  offline(): void
  online(): void
  close(): Promise<void>
}

/**
 * A proxy in front of a real server that a test can switch off, to put an
 * edge "offline" from its iCDR without stopping the iCDR.
 */
export async function switchableProxy(target: {
  host: string
  port: number
}): Promise<SwitchableProxy> {
  const proxy = await lossyProxy(target)
  return {
    url: proxy.url,
    offline: () => proxy.mode('refuse'),
    online: () => proxy.mode('pass'),
    close: proxy.close,
  }
}
