// Reliability against a hostile page in headless Firefox: the
// suite Chromium runs (tests/suites/hostile.mjs), with the same assertions.
import * as firefox from '../../support/drivers/firefox.mjs';
import { hostileSuite } from '../suites/hostile.mjs';

// Chromium only: BiDi cannot run code in the relay's world (script.getRealms lists no content-script realm; a BiDi sandbox has no extension API).
hostileSuite(firefox, { contentScript: false });
