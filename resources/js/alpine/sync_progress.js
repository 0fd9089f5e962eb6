/*
 * The sync centre's progress bar: while a sync runs, asks the edge for its
 * status every second and a half and shows what is done and what remains;
 * when the sync ends, reloads the page so the outcome, the outbox and the
 * conflicts shown are the new ones.
 */
document.addEventListener('alpine:init', () => {
  window.Alpine.data('syncProgress', ({ url, running }) => ({
    running,
    phase: '',
    done: 0,
    total: 0,
    timer: null,

    init() {
      if (this.running) {
        this.poll()
      }
    },

    destroy() {
      clearTimeout(this.timer)
    },

    async poll() {
      try {
        const response = await fetch(url, { headers: { accept: 'application/json' } })
        const { status } = await response.json()
        if (!status.running) {
          window.location.reload()
          return
        }
        const progress = status.progress ?? { phase: '', done: 0, remaining: 0 }
        this.phase = progress.phase
        this.done = progress.done
        this.total = progress.done + progress.remaining
      } catch {}
      this.timer = setTimeout(() => this.poll(), 1500)
    },
  }))
})
