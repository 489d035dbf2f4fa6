// The demo store in Chromium: every scenario of the library, with the suite
// shared with the Firefox tier.
import * as chromium from '../../support/drivers/chromium.mjs';
import { demoSuite } from '../suites/demo.mjs';

demoSuite(chromium);
