// The live panel in Firefox: the same suite and assertions as Chromium.
import * as firefox from '../../support/drivers/firefox.mjs';
import { liveSuite } from '../suites/live.mjs';

liveSuite(firefox);
