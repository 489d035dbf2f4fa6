// The demo store in Firefox: the same scenario script and assertions as Chromium.
import * as firefox from '../drivers/firefox.mjs';
import { demoSuite } from '../suites/demo.mjs';

demoSuite(firefox);
