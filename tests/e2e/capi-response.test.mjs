// Meta's response pasted beside the server payload, in headless Chromium: the
// suite shared with the Firefox tier (tests/suites/capi-response.mjs).
import * as chromium from '../../support/drivers/chromium.mjs';
import { capiResponseSuite } from '../suites/capi-response.mjs';

capiResponseSuite(chromium);
