// The demo store in Firefox: the same scenario script and assertions as
// Chromium, for a representative few of the library (one of each kind of
// sender and evidence: demo/scenarios.mjs, FIREFOX_SCENARIOS).
import { FIREFOX_SCENARIOS } from '../../demo/scenarios.mjs';
import * as firefox from '../../support/drivers/firefox.mjs';
import { demoSuite } from '../suites/demo.mjs';

demoSuite(firefox, FIREFOX_SCENARIOS);
