/**
 * A jest reporter that fails a run in which no test ran: every test skipped, or filtered out by `-t`, is a green
 * run that checked nothing. Jest on its own fails only a run that finds no test file.
 */
export default class RequireTests {
  /** @type {Error | undefined} */
  #error

  /** @param {unknown} _contexts @param {{ numTotalTests: number, numPendingTests: number, numTodoTests: number }} results */
  onRunComplete(_contexts, results) {
    if (results.numTotalTests - results.numPendingTests - results.numTodoTests > 0) return
    this.#error = new Error('No test ran.')
    console.error('No test ran, so this run checked nothing: it fails.')
  }

  /** Jest fails the run when a reporter has an error. */
  getLastError() {
    return this.#error
  }
}
