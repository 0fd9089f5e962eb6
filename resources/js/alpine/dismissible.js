/* A message the reader may close once read. */
document.addEventListener('alpine:init', () => {
  window.Alpine.data('dismissible', () => ({
    open: true,
    close() {
      this.open = false
    },
  }))
})
