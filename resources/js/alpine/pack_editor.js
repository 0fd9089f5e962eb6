/*
 * The rule pack editor: sends the text to the iCDR's check (the same loader
 * that saving and publishing use: schema, facts, operators) a moment after
 * typing stops, lists each problem with its line and column, and moves the
 * cursor to a problem when it is chosen. Nothing leaves this iCDR.
 */
document.addEventListener('alpine:init', () => {
  window.Alpine.data('packEditor', () => ({
    problems: [],
    checking: false,
    checked: false,
    failed: false,
    caret: '',
    timer: null,
    sent: 0,

    /* Checks the text as it is when the page comes alive: it may have been typed already. */
    init() {
      this.problems = JSON.parse(this.$root.dataset.problems || '[]')
      if (this.$refs.text.value.trim() !== '') {
        this.check()
      }
    },

    changed() {
      clearTimeout(this.timer)
      this.timer = setTimeout(() => this.check(), 400)
      this.moved()
    },

    async check() {
      const ticket = ++this.sent
      this.checking = true
      try {
        const response = await fetch(this.$root.dataset.checkUrl, {
          method: 'POST',
          credentials: 'same-origin',
          headers: {
            'accept': 'application/json',
            'content-type': 'application/json',
            'x-csrf-token': this.$root.dataset.csrf,
          },
          body: JSON.stringify({ text: this.$refs.text.value }),
        })
        if (ticket !== this.sent) return
        if (!response.ok) throw new Error(String(response.status))
        const answer = await response.json()
        this.problems = answer.problems
        this.failed = false
      } catch {
        if (ticket === this.sent) this.failed = true
      } finally {
        if (ticket === this.sent) {
          this.checking = false
          this.checked = true
        }
      }
    },

    title() {
      const template = this.problems.length === 1 ? this.$root.dataset.one : this.$root.dataset.many
      return template.replace('{count}', this.problems.length)
    },

    at(problem) {
      return this.$root.dataset.at.replace('{line}', problem.line).replace('{column}', problem.column)
    },

    /* The cursor's line and column, as the problems give them. */
    moved() {
      const area = this.$refs.text
      const before = area.value.slice(0, area.selectionStart).split('\n')
      this.caret = this.$root.dataset.caret
        .replace('{line}', before.length)
        .replace('{column}', before.at(-1).length + 1)
    },

    goTo(problem) {
      const area = this.$refs.text
      const lines = area.value.split('\n')
      let offset = 0
      for (let index = 0; index < problem.line - 1 && index < lines.length; index++) {
        offset += lines[index].length + 1
      }
      offset += (problem.column || 1) - 1
      area.focus()
      area.setSelectionRange(offset, offset)
      const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 20
      area.scrollTop = Math.max(0, (problem.line - 3) * lineHeight)
      this.moved()
    },
  }))
})
