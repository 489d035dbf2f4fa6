// Reliability against a hostile page in headless Chromium: the
// suite shared with the Firefox tier (tests/suites/hostile.mjs).
import * as chromium from '../../support/drivers/chromium.mjs';
import { hostileSuite } from '../suites/hostile.mjs';

hostileSuite(chromium);
