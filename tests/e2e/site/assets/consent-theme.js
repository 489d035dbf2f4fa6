// The theme's tracking on the consent page (a "theme" sender).
fbq('track', 'ViewContent', { content_ids: ['tee-blue-m'], content_type: 'product', value: 30.0, currency: 'USD' }, { eventID: 'vc-consent-1' });
