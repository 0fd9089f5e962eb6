/**
 * Electron's `before-quit` handler: the first quit is held back until the
 * core has stopped (its store closed cleanly), then the app quits for real.
 * Quitting again while the core stops changes nothing.
 */
export function quitAfterCoreStops(options: {
  stopCore: () => Promise<unknown>
  quit: () => void
}): (event: { preventDefault: () => void }) => void {
  let state: 'running' | 'stopping' | 'stopped' = 'running'
  return (event) => {
    if (state === 'stopped') {
      return
    }
    event.preventDefault()
    if (state === 'stopping') {
      return
    }
    state = 'stopping'
    void options
      .stopCore()
      .catch(() => {})
      .finally(() => {
        state = 'stopped'
        options.quit()
      })
  }
}
