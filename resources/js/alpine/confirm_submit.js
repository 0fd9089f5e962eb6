/*
 * Asks before a form with consequences is sent (the question is the form's
 * data-confirm). Without JavaScript the form is sent as is.
 */
document.addEventListener('alpine:init', () => {
  window.Alpine.data('confirmSubmit', () => ({
    ask(event) {
      if (!window.confirm(this.$el.dataset.confirm)) {
        event.preventDefault()
      }
    },
  }))
})
