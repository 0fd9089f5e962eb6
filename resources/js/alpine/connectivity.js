/*
 * The online/offline badge: asks the node whether it reaches its iCDR every
 * 15 seconds and whenever the browser's own network comes or goes. When the
 * node itself cannot be reached (a LAN gateway that went away), says so.
 */
document.addEventListener('alpine:init', () => {
  window.Alpine.data('connectivity', ({ url, state }) => ({
    state,
    reachable: true,
    timer: null,

    init() {
      this.timer = setInterval(() => this.check(), 15000)
      window.addEventListener('online', () => this.check())
      window.addEventListener('offline', () => this.check())
    },

    destroy() {
      clearInterval(this.timer)
    },

    get label() {
      const key = this.reachable ? this.state : 'unreachable'
      return this.$el.dataset[`label${key[0].toUpperCase()}${key.slice(1)}`]
    },

    async check() {
      try {
        const response = await fetch(url, { headers: { accept: 'application/json' } })
        const body = await response.json()
        this.state = body.state
        this.reachable = true
      } catch {
        this.state = 'offline'
        this.reachable = false
      }
    },
  }))
})
