// Meta's response pasted beside the server payload, in headless Firefox: the
// suite Chromium runs (tests/suites/capi-response.mjs), with the same assertions.
import * as firefox from '../../support/drivers/firefox.mjs';
import { capiResponseSuite } from '../suites/capi-response.mjs';

capiResponseSuite(firefox);
