// The live panel in Chromium: the suite shared with the Firefox tier.
import * as chromium from '../../support/drivers/chromium.mjs';
import { liveSuite } from '../suites/live.mjs';

liveSuite(chromium);
