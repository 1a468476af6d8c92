// A mocha reporter for test/sdksuite: it writes one JSON object a line to
// the file named by SDKSUITE_RESULTS, for every test of the run: its full
// title, its state (passed, failed, pending, or "not run" when a hook
// failing before it kept it from running), its first error line and how
// long it took. Mocha's own json reporter writes to stdout, where the
// specs' console output goes too.
'use strict';

const fs = require('fs');
const Mocha = require('mocha');

const {
  EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING
} = Mocha.Runner.constants;

// firstLine is an error's first line; for an API error the specs let
// through (expect.js's "the object {…} was thrown"), its http_code and
// message instead.
function firstLine(err) {
  if (!err) {
    return '';
  }
  const text = String(err.message || err);
  const api = text.match(/"http_code": (\d+)\s+"message": "((?:[^"\\]|\\.)*)"/);
  if (api) {
    return `API error ${api[1]}: ${api[2]}`;
  }
  const msg = text.split('\n').find((l) => l.trim() !== '') || '';
  return msg.trim();
}

// It prints what mocha's spec reporter prints too (into the spec file's log).
function SdkSuiteReporter(runner, options) {
  Mocha.reporters.Spec.call(this, runner, options);
  const out = process.env.SDKSUITE_RESULTS;
  const done = new Map(); // test -> result
  const hookErrors = new Map(); // suite -> the message of the hook that failed in it

  const record = (test, state, err) => {
    done.set(test, {
      title: test.fullTitle(),
      state,
      message: firstLine(err),
      ms: test.duration || 0
    });
  };
  runner.on(EVENT_TEST_PASS, (test) => record(test, 'passed'));
  runner.on(EVENT_TEST_PENDING, (test) => record(test, 'pending'));
  runner.on(EVENT_TEST_FAIL, (test, err) => {
    if (test.type === 'hook') {
      const suite = test.parent;
      if (!hookErrors.has(suite)) {
        hookErrors.set(suite, `${test.title}: ${firstLine(err)}`);
      }
      return;
    }
    record(test, 'failed', err);
  });
  runner.once(EVENT_RUN_END, () => {
    const lines = [];
    // --grep's tests only (mocha's Runner keeps it in _grep and _invert).
    const chosen = (test) => !runner._grep || runner._grep.test(test.fullTitle()) !== Boolean(runner._invert);
    const walk = (suite) => {
      suite.tests.filter(chosen).forEach((test) => {
        let r = done.get(test);
        if (!r) {
          let message = '';
          for (let s = suite; s && !message; s = s.parent) {
            message = hookErrors.get(s) || '';
          }
          r = { title: test.fullTitle(), state: 'not run', message, ms: 0 };
        }
        lines.push(JSON.stringify(r));
      });
      suite.suites.forEach(walk);
    };
    walk(runner.suite);
    fs.writeFileSync(out, lines.join('\n') + '\n');
  });
}

Mocha.utils.inherits(SdkSuiteReporter, Mocha.reporters.Spec);

module.exports = SdkSuiteReporter;
