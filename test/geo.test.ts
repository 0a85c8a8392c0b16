// Great-circle distance, gazetteer and time-zone points (src/geo/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greatCircleKm, EARTH_RADIUS_KM } from '../src/geo/distance.js';
import { countryCode, foldName, loadRegionNames, resolvePlace } from '../src/geo/gazetteer.js';
import { parseIso6709, zonePoint } from '../src/geo/timezones.js';

// As LocationSignals.prepare does before resolving any place.
await loadRegionNames();

/** The label of the place `q` resolves to (which it must). */
function label(q: string): string {
  const r = resolvePlace(q);
  assert.ok(r.ok, `${q}: ${r.ok ? '' : r.reason}`);
  return r.place.label;
}

/** The first note on how `q` was read (it must resolve). */
function firstNote(q: string): string | undefined {
  const r = resolvePlace(q);
  assert.ok(r.ok, `${q}: ${r.ok ? '' : r.reason}`);
  return r.notes[0];
}

const dms = (d: number, m: number, s: number): number => d + m / 60 + s / 3600;

/**
 * Published distances between city (and survey) points. Geodesic figures are on the WGS84 ellipsoid;
 * a sphere is within 0.5 % of them, which is what keylag claims.
 */
const PUBLISHED: { name: string; a: [number, number]; b: [number, number]; km: number; source: string }[] = [
  {
    name: 'Wellington, NZ - Salamanca, ES', a: [-41.32, 174.81], b: [40.96, -5.5], km: 19959.679267,
    source: 'GeographicLib (C. Karney) documentation example: Geodesic.WGS84.Inverse -> 19959679.267 m',
  },
  {
    name: 'New York JFK - London LHR', a: [40.6, -73.8], b: [51.6, -0.5], km: 5551.76,
    source: 'GeographicLib example-Geodesic-small.cpp: "5551.76 km"',
  },
  {
    name: 'Nashville BNA - Los Angeles LAX', a: [36.12, -86.67], b: [33.94, -118.4], km: 2887.2599506,
    source: 'Rosetta Code "Haversine formula" task (R = 6372.8 km): 2887.2599506071106 km',
  },
  {
    name: 'Flinders Peak - Buninyong (Victoria, AU)', a: [-dms(37, 57, 3.7203), dms(144, 25, 29.5244)], b: [-dms(37, 39, 10.1561), dms(143, 55, 35.3839)],
    km: 54.972271, source: 'Geoscience Australia, Vincenty inverse worked example: 54,972.271 m',
  },
];

test('great-circle distances of published pairs are within 0.5 %', () => {
  for (const p of PUBLISHED) {
    const d = greatCircleKm({ lat: p.a[0], lon: p.a[1] }, { lat: p.b[0], lon: p.b[1] });
    const rel = Math.abs(d - p.km) / p.km;
    assert.ok(rel < 0.005, `${p.name}: ${d.toFixed(3)} km vs published ${p.km} km (${(rel * 100).toFixed(3)} %; ${p.source})`);
  }
  assert.equal(greatCircleKm({ lat: 10, lon: 20 }, { lat: 10, lon: 20 }), 0);
  // Antipodes: half the circumference.
  assert.ok(Math.abs(greatCircleKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 }) - Math.PI * EARTH_RADIUS_KM) < 1e-6);
});

test('the Azure fixture\'s great_circle_km column agrees with greatCircleKm', async () => {
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(new URL('../../fixtures/azure/azure-inter-region-rtt-p50.csv', import.meta.url), 'utf8').trim().split('\n').slice(1);
  for (const line of lines) {
    const f = line.split(',');
    const d = greatCircleKm({ lat: Number(f[2]), lon: Number(f[3]) }, { lat: Number(f[4]), lon: Number(f[5]) });
    assert.ok(Math.abs(d - Number(f[7])) <= 0.06, `${f[0]} -> ${f[1]}: ${d} vs ${f[7]}`);
  }
});

test('gazetteer: City, Region, Country; ISO codes and country names; alternate names', () => {
  const austin = resolvePlace('Austin, TX, US');
  assert.ok(austin.ok);
  assert.equal(austin.place.label, 'Austin, TX, US');
  assert.equal(austin.place.precision, 'city');
  assert.ok(Math.abs(austin.place.lat - 30.267) < 0.01 && Math.abs(austin.place.lon + 97.743) < 0.01);
  assert.equal(austin.place.timeZone, 'America/Chicago');
  assert.equal(austin.alternatives.length, 0);

  const tokyo = resolvePlace('Tokyo, Japan');
  assert.ok(tokyo.ok && tokyo.place.country === 'JP');
  const sp = resolvePlace('Sao Paulo, Brazil');
  assert.ok(sp.ok && sp.place.label === 'São Paulo, BR');
  // GeoNames calls it "New York City"; "New York" is one of its alternate names.
  const ny = resolvePlace('New York, US');
  assert.ok(ny.ok && ny.place.label === 'New York City, NY, US');
  assert.ok(ny.notes.some((n) => n.includes('alternate name')));
  // A US state code that is also a country code (CO = Colombia): read as the region when the country has no such place.
  const denver = resolvePlace('Denver, CO');
  assert.ok(denver.ok && denver.place.label === 'Denver, CO, US');
  assert.equal(countryCode('United States'), 'US');
  assert.equal(countryCode('usa'), 'US');
  assert.equal(countryCode('gb'), 'GB');
  assert.equal(countryCode('Atlantis'), null);
  assert.equal(foldName('  São  Paulo '), 'sao paulo');
});

test('gazetteer: a place whose name holds its region after a comma (GeoNames\' "Washington, D.C.") is found as people write it', () => {
  // Before: the query's comma split "Washington, DC" into a name and a region no "Washington" had.
  for (const query of ['Washington, DC', 'Washington, DC, US', 'Washington, D.C.', 'Washington D.C., US', 'washington, d.c., usa']) {
    const r = resolvePlace(query);
    assert.ok(r.ok, query);
    assert.equal(r.place.source.split(' ')[1], '4140963', query);
    assert.equal(r.place.label, 'Washington, D.C., US', query);
  }
  // The region still tells the other Washingtons apart.
  const indiana = resolvePlace('Washington, IN');
  assert.ok(indiana.ok);
  assert.equal(indiana.place.label, 'Washington, IN, US');
});

test('gazetteer: regions by name as HR systems write them ("Austin, Texas", "Toronto, Ontario"), the country first where a region shares its name', () => {
  // Before: "'Texas' is neither a country nor a region of a place named 'Austin'" (location_unknown).
  assert.equal(label('Austin, Texas'), 'Austin, TX, US');
  assert.equal(label('San Francisco, California'), 'San Francisco, CA, US');
  assert.equal(label('Portland, Oregon'), 'Portland, OR, US');
  assert.equal(label('Portland, Maine'), 'Portland, ME, US');
  assert.equal(label('Seattle, Washington'), 'Seattle, WA, US');
  assert.equal(label('Austin, Texas, USA'), 'Austin, TX, US');
  // Georgia: a country (with Tbilisi) and a US state (with Atlanta).
  assert.equal(label('Tbilisi, Georgia'), 'Tbilisi, GE');
  assert.equal(label('Atlanta, Georgia'), 'Atlanta, GA, US');
  // Where GeoNames numbers its regions, the region's country tells places apart, with a note.
  const toronto = resolvePlace('Toronto, Ontario');
  assert.ok(toronto.ok);
  assert.equal(toronto.place.label, 'Toronto, CA');
  assert.ok(toronto.notes.some((n) => n.includes('CA-ON')), toronto.notes.join(' | '));
  // London, Ontario is not London, England.
  const london = resolvePlace('London, Ontario');
  assert.ok(london.ok);
  assert.equal(london.place.country, 'CA');
  assert.equal(label('Sydney, New South Wales'), 'Sydney, AU');
  // A region name that is no region stays an error naming it.
  const bad = resolvePlace('Austin, Narnia');
  assert.ok(!bad.ok && /Narnia/.test(bad.reason));
});

test('country names: every assigned ISO 3166-1 country by its English name and its code, never a withdrawn code ICU names the same', async () => {
  const { iso31661 } = await import('iso-3166');
  const english = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const wrong: string[] = [];
  for (const { alpha2 } of iso31661) {
    const name = english.of(alpha2)!;
    if (countryCode(name) !== alpha2) wrong.push(`${name} -> ${countryCode(name)} (not ${alpha2})`);
    if (countryCode(alpha2) !== alpha2) wrong.push(`${alpha2} -> ${countryCode(alpha2)}`);
  }
  // Before: France went to FX, Russia to SU, and with the first code kept, Germany to DD.
  assert.deepEqual(wrong, []);
  assert.ok(iso31661.length > 240);
  // As rosters write them.
  for (const [written, code] of [['UK', 'GB'], ['Myanmar', 'MM'], ['Bosnia and Herzegovina', 'BA'], ['Saint Lucia', 'LC'], ['DRC', 'CD']] as const) {
    assert.equal(countryCode(written), code, written);
  }
  assert.equal(label('Paris, France'), 'Paris, FR');
  assert.equal(label('Moscow, Russia'), 'Moscow, RU');
  assert.equal(label('Hanoi, Vietnam'), 'Hanoi, VN');
  assert.equal(label('London, UK'), 'London, ENG, GB');
  assert.equal(label('St Petersburg, Russia'), 'Saint Petersburg, RU');
  assert.equal(label('Saint Louis, MO'), 'St. Louis, MO, US');
  assert.equal(label('Ft. Lauderdale, Florida'), 'Fort Lauderdale, FL, US');
});

test('gazetteer: what HR exports write around a place is tried away, with a note; the roster\'s warnings say how a location was read', async () => {
  for (const [written, label, note] of [
    ['Austin, TX 78701', 'Austin, TX, US', 'postal code'],
    ['Austin, TX (Remote)', 'Austin, TX, US', 'a note'],
    ['Remote - Chicago, IL', 'Chicago, IL, US', 'work arrangement'],
    ['Chicago - IL', 'Chicago, IL, US', 'left out'],
    ['123 Main St, Austin, TX 78701', 'Austin, TX, US', 'street'],
    ['Austin TX', 'Austin, TX, US', 'region or country'],
    ['Paris 75001, France', 'Paris, FR', 'postal code'],
    // Before: unknown (a code as a part of its own; Canadian and UK forms).
    ['Austin, TX, 78701', 'Austin, TX, US', 'postal code'],
    ['Toronto, ON M5V 3L9', 'Toronto, CA', 'postal code'],
    ['London EC1A 1BB', 'London, ENG, GB', 'postal code'],
    // Before: found, but the code was taken for a region ("region 'M1 1AE' not recognised").
    ['Vancouver, BC, V6B 1A1, Canada', 'Vancouver, CA', 'postal code'],
    ['Manchester, M1 1AE, UK', 'Manchester, ENG, GB', 'postal code'],
    ['Sydney, NSW 2000, Australia', 'Sydney, AU', 'postal code'],
    // Before: unknown. A site's word after the city; a location hierarchy written country first.
    ['New York Office', 'New York City, NY, US', 'a note'],
    ['Austin HQ', 'Austin, TX, US', 'a note'],
    ['USA - Florida - Miami', 'Miami, FL, US', 'country first'],
    ['Germany / Berlin', 'Berlin, DE', 'country first'],
    ['India - Bengaluru Campus', 'Bengaluru, IN', 'country first'],
    // Before: unknown. A territory with its sovereign; "Congo" for the Democratic Republic.
    ['Hong Kong, China', 'Hong Kong, HCW, HK', 'territory of its own'],
    ['Hong Kong SAR, China', 'Hong Kong, HCW, HK', 'territory of its own'],
    ['Macau, China', 'Macau, MO', 'territory of its own'],
    ['Kinshasa, Congo', 'Kinshasa, CD', 'Democratic Republic of the Congo'],
  ] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, written);
    assert.equal(r.place.label, label, written);
    assert.equal(r.place.query, written);
    assert.ok(r.notes[0]!.includes(note), `${written}: ${r.notes.join(' | ')}`);
  }
  // "Congo" is still the Republic of the Congo's where the place is there.
  const brazzaville = resolvePlace('Brazzaville, Congo');
  assert.ok(brazzaville.ok && brazzaville.place.country === 'CG' && brazzaville.notes.length === 0);
  // Nothing left to try: the reason is the text's own.
  const bad = resolvePlace('Narnia 12345');
  assert.ok(!bad.ok && bad.reason.includes('Narnia 12345'));
  // ... and what was left is named with why it is no place (before: "no place named 'US - Remote'").
  const remote = resolvePlace('US - Remote');
  assert.ok(!remote.ok && remote.reason === `'US - Remote' read as 'US' (a note, a work arrangement or a postal code left out): 'US' is a country, not a place in it (give "City, US" or "lat,lon")`,
    remote.ok ? remote.place.label : remote.reason);
  // Words that fill a location cell without naming a place (Home matched Home, WA; TBD an airport
  // code in Colombia; None a town in Italy).
  for (const placeholder of ['Home', 'TBD', 'None', 'Headquarters', 'N/A', 'Unknown', 'Remote']) {
    const r = resolvePlace(placeholder);
    assert.ok(!r.ok && r.reason === `'${placeholder}' names no place`, `${placeholder}: ${r.ok ? r.place.label : r.reason}`);
  }
  // A work arrangement alone is no place; a hyphen inside a name is no separator.
  assert.ok(!resolvePlace('Remote').ok);
  const winston = resolvePlace('Winston-Salem, NC');
  assert.ok(winston.ok && winston.place.label === 'Winston-Salem, NC, US');

  const { resolveClaims } = await import('../src/baseline/claims.js');
  const { warnings } = resolveClaims([{ account: 'a', key: 'a', site: null, location: 'Austin, TX 78701', timeZone: null, access: null, source: { file: 'roster.csv', line: 2 } }],
    { resolvePlaces: true, strict: false });
  assert.ok(warnings.includes("roster.csv:2: location 'Austin, TX 78701' read as Austin, TX, US: read as 'Austin, TX' (a postal code left out)"), warnings.join(' | '));
});

test('gazetteer: ISO 3166-2 region codes after a city ("Toronto, ON", "Sydney, NSW"), of the country written or of the US, Canada, Australia and India', () => {
  // Before: "'ON' is neither a country nor a region of a place named 'Toronto'" (location_unknown).
  for (const [written, country] of [
    ['Toronto, ON', 'CA'], ['Vancouver, BC', 'CA'], ['Montreal, QC', 'CA'], ['Calgary, AB', 'CA'], ['Sydney, NSW', 'AU'],
    ['Melbourne, VIC', 'AU'], ['Brisbane, QLD', 'AU'], ['Perth, WA', 'AU'], ['Adelaide, SA', 'AU'], ['Noida, UP', 'IN'],
  ] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, `${written}: ${r.ok ? '' : r.reason}`);
    assert.equal(r.place.country, country, written);
  }
  // London in Ontario, not England's (pop. 8.9 M), with or without the country.
  for (const written of ['London, ON', 'London, ON, Canada']) {
    const r = resolvePlace(written);
    assert.ok(r.ok, written);
    assert.equal(r.place.label, 'London, CA', written);
    assert.ok(Math.abs(r.place.lat - 42.98) < 0.1 && Math.abs(r.place.lon + 81.23) < 0.1, `${written}: ${r.place.lat},${r.place.lon}`);
    assert.ok(r.notes.some((n) => n.includes('CA-ON')), r.notes.join(' | '));
  }
  // US codes are GeoNames' own admin-1 codes, as before; a code of no region stays an error.
  assert.equal(label('Portland, OR'), 'Portland, OR, US');
  assert.ok(!resolvePlace('Toronto, ZZ').ok);
});

test('gazetteer: a region code of two countries ("WA": Washington, Western Australia) matches the US one by its code only, never any US place', () => {
  // Before: "Albany, WA" was Albany, NY (the US being a country with a region WA), 16,000 km from
  // Albany, Western Australia, the only Albany in either WA; "Perth, WA" listed Perth, NY.
  const albany = resolvePlace('Albany, WA');
  assert.ok(albany.ok, albany.ok ? '' : albany.reason);
  assert.equal(albany.place.country, 'AU');
  assert.ok(Math.abs(albany.place.lat + 35.03) < 0.1 && Math.abs(albany.place.lon - 117.88) < 0.1, `${albany.place.lat},${albany.place.lon}`);
  assert.deepEqual(albany.alternatives, []);
  const perth = resolvePlace('Perth, WA');
  assert.ok(perth.ok && perth.place.country === 'AU');
  assert.deepEqual(perth.alternatives.map((a) => a.label), ['Perth, AU']);
  // A place in the US state is still found by its code.
  assert.equal(label('Vancouver, WA'), 'Vancouver, WA, US');
  assert.equal(label('Kent, WA'), 'Kent, WA, US');
});

test('gazetteer: "City, XX" where XX is both a country and a region code with a place of the name ("Pasadena, CA") weighs both, as an ambiguity', () => {
  // Before: the country won outright. "Pasadena, CA" was Pasadena, Newfoundland (pop. 2,248),
  // 4,900 km from Pasadena, California (142,250), with no alternative to warn of; so were Concord,
  // Lincoln, Danville, Beaumont, Belmont, CA, and "Bella Vista, AR" was in Argentina.
  const pasadena = resolvePlace('Pasadena, CA');
  assert.ok(pasadena.ok);
  assert.equal(pasadena.place.label, 'Pasadena, CA, US');
  assert.ok(Math.abs(pasadena.place.lat - 34.15) < 0.05 && Math.abs(pasadena.place.lon + 118.14) < 0.05, `${pasadena.place.lat},${pasadena.place.lon}`);
  assert.deepEqual(pasadena.alternatives.map((a) => a.label), ['Pasadena, CA']);
  assert.ok(pasadena.notes.some((n) => n.includes("'CA' is both a country (CA) and a region (US-CA)")), pasadena.notes.join(' | '));
  for (const written of ['Concord, CA', 'Lincoln, CA', 'Bella Vista, AR']) assert.ok(label(written).endsWith(', US'), `${written}: ${label(written)}`);
  // The more populous still wins, but the other is an alternative to warn of (it was silent).
  const windsor = resolvePlace('Windsor, CA');
  assert.ok(windsor.ok);
  assert.equal(windsor.place.label, 'Windsor, CA');
  assert.ok(windsor.alternatives.some((a) => a.label === 'Windsor, CA, US'), windsor.alternatives.map((a) => a.label).join(', '));
  // Where only one has the place, it is that one, without a note.
  for (const [written, expected] of [['Toronto, CA', 'Toronto, CA'], ['Denver, CO', 'Denver, CO, US'], ['Mumbai, IN', 'Mumbai, IN'], ['Berlin, DE', 'Berlin, DE']] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok && r.place.label === expected && r.notes.length === 0, `${written}: ${r.ok ? `${r.place.label} ${r.notes.join(' | ')}` : r.reason}`);
  }
});

test('gazetteer: a city by its English name where a small place has that name ("Cologne, Germany"); alone, the larger place is named in a note', () => {
  // Before: a name found as some place's own name was never looked up among alternate names, so
  // "Cologne, Germany" was location_unknown ("no place named 'Cologne' in Germany": the Colognes are in
  // Italy and Minnesota), and so were "Gothenburg, Sweden" and "Roma, Italy".
  for (const [written, expected, lat, lon] of [
    ['Cologne, Germany', 'Köln, DE', 50.93, 6.95], ['Gothenburg, Sweden', 'Göteborg, SE', 57.71, 11.97], ['Roma, Italy', 'Rome, IT', 41.89, 12.51],
  ] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, `${written}: ${r.ok ? '' : r.reason}`);
    assert.equal(r.place.label, expected, written);
    assert.ok(Math.abs(r.place.lat - lat) < 0.05 && Math.abs(r.place.lon - lon) < 0.05, `${written}: ${r.place.lat},${r.place.lon}`);
    assert.ok(r.notes.includes(`'${written.split(',')[0]}' matched as an alternate name`), r.notes.join(' | '));
  }
  // Alone, the place of the name stays (alternate names hold misspellings and districts' names too),
  // but it is no longer silent: "Gothenburg" was Gothenburg, Nebraska (pop. 3,514) with nothing said.
  const alone = resolvePlace('Gothenburg');
  assert.ok(alone.ok);
  assert.equal(alone.place.label, 'Gothenburg, NE, US');
  assert.deepEqual(alone.notes, ['\'Gothenburg\' is also a name of Göteborg, SE (pop. 572,799), not taken: give its country for it ("Gothenburg, SE")']);
  assert.equal(label('Gothenburg, SE'), 'Göteborg, SE');
  // A place of the name in the country written is still the one taken, and large places carry no note.
  assert.equal(label('Cologne, MN'), 'Cologne, MN, US');
  const paris = resolvePlace('Paris');
  assert.ok(paris.ok && paris.notes.length === 0, paris.ok ? paris.notes.join(' | ') : paris.reason);
  assert.ok(!resolvePlace('Xqzzy, Germany').ok);
});

test('gazetteer: ISO 3166-1 country names in their inverted form with a comma ("Korea, Republic of"), each its own country', () => {
  // Before: "no place named 'Seoul' in Republic of".
  for (const [written, country] of [
    ['Seoul, Korea, Republic of', 'KR'], ["Pyongyang, Korea, Democratic People's Republic of", 'KP'], ['Tehran, Iran, Islamic Republic of', 'IR'],
    ['Caracas, Venezuela, Bolivarian Republic of', 'VE'], ['Chisinau, Moldova, Republic of', 'MD'], ['Taipei, Taiwan, Province of China', 'TW'],
    ['La Paz, Bolivia, Plurinational State of', 'BO'], ['Dodoma, Tanzania, United Republic of', 'TZ'], ['Moscow, Russian Federation', 'RU'],
  ] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, `${written}: ${r.ok ? '' : r.reason}`);
    assert.equal(r.place.country, country, written);
  }
  // Alone, a country is no place in it.
  const alone = resolvePlace('Korea, Republic of');
  assert.ok(!alone.ok && /is a country, not a place in it/.test(alone.reason), alone.ok ? alone.place.label : alone.reason);
  // ICU's names are kept: South Korea is KR, North Korea KP.
  assert.equal(countryCode('South Korea'), 'KR');
  assert.equal(countryCode('Korea, Democratic People\'s Republic of'), 'KP');
});

test('country names no longer in ICU\'s English (Turkey, Swaziland), official forms HR systems write (Slovak Republic, KSA) and countries\' own names (Deutschland)', () => {
  // Before: each was location_unknown ("neither a country nor a region").
  for (const [written, country] of [
    ['Istanbul, Turkey', 'TR'], ['Mbabane, Swaziland', 'SZ'], ['Skopje, Macedonia', 'MK'], ['Dili, East Timor', 'TL'],
    ['Ramallah, Palestine', 'PS'], ['Bratislava, Slovak Republic', 'SK'], ['Vientiane, Lao PDR', 'LA'], ['Bishkek, Kyrgyz Republic', 'KG'],
    ['Riyadh, KSA', 'SA'], ['Shanghai, PRC', 'CN'], ['Shenzhen, Mainland China', 'CN'], ['Dublin, Republic of Ireland', 'IE'],
    ['München, Deutschland', 'DE'], ['Madrid, España', 'ES'], ['Milano, Italia', 'IT'], ['São Paulo, Brasil', 'BR'], ['Zürich, Schweiz', 'CH'],
    ['Genève, Suisse', 'CH'], ['Praha, Česká republika', 'CZ'], ['Kraków, Polska', 'PL'], ['Wien, Österreich', 'AT'], ['Kyiv, Ukraina', 'UA'],
  ] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, `${written}: ${r.ok ? '' : r.reason}`);
    assert.equal(r.place.country, country, `${written}: ${r.place.label}`);
  }
  // Never over a name ICU gives: Georgia stays the country's, Turkey was no country name of ICU's.
  assert.equal(countryCode('Georgia'), 'GE');
  assert.equal(countryCode('Turkey'), 'TR');
});

test('gazetteer: a country, US state or Canadian province alone is no place in it (they matched towns by their names), but a city of its own name is', () => {
  // Before: India resolved to Inđija (Serbia) by an alternate name, US to the village of Us (France).
  for (const country of ['India', 'US', 'United States', 'Germany']) {
    const r = resolvePlace(country);
    assert.ok(!r.ok, `${country}: ${r.ok ? r.place.label : ''}`);
    assert.match(r.reason, /is a country, not a place in it/);
  }
  // So is a US state or Canadian province alone: California matched a town in Maryland.
  for (const region of ['California', 'Ontario', 'Virginia']) {
    const r = resolvePlace(region);
    assert.ok(!r.ok, `${region}: ${r.ok ? r.place.label : ''}`);
    assert.match(r.reason, /is a region \((US|CA)-[A-Z]+\), not a place in it/);
  }
  // Unless the place of its name lies in it; and cities that share a name with regions elsewhere stay cities.
  for (const [written, label] of [['New York', 'New York City, NY, US'], ['Portland', 'Portland, OR, US'], ['Charlotte', 'Charlotte, NC, US']] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, written);
    assert.equal(r.place.label, label);
  }
  for (const [written, code] of [['Singapore', 'SG'], ['Monaco', 'MC'], ['Djibouti', 'DJ']] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, written);
    assert.equal(r.place.country, code, written);
  }
});

test('gazetteer: India\'s region codes ISO withdrew in 2023 (CT, OR, TG, UT), as older HR systems write them; the US states of those codes unchanged', () => {
  // Before: "Hyderabad, TG" was looked for in Togo; the others were unknown.
  for (const [written, label] of [['Hyderabad, TG', 'Hyderabad, IN'], ['Bhubaneswar, OR', 'Bhubaneshwar, IN'], ['Dehradun, UT', 'Dehra Dūn, IN'], ['Raipur, CT', 'Raipur, IN'],
    ['Portland, OR', 'Portland, OR, US'], ['Salt Lake City, UT', 'Salt Lake City, UT, US'], ['Hartford, CT', 'Hartford, CT, US'], ['Lomé, TG', 'Lomé, TG']] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, `${written}: ${r.ok ? '' : r.reason}`);
    assert.equal(r.place.label, label, written);
  }
});

test('gazetteer: coordinates with hemispheres, in decimal degrees or degrees, minutes and seconds', () => {
  // Before: "no place named ..." ("40.7128 N, 74.0060 W": "'74.0060 W' is neither a country nor a region").
  for (const [written, lat, lon] of [
    ['40°42′46″N 74°00′22″W', 40.71278, -74.00611], ['40.7128 N, 74.0060 W', 40.7128, -74.006], ['40.7128° N, 74.0060° W', 40.7128, -74.006],
    ['N 40.7128, W 74.0060', 40.7128, -74.006], ['74.0060 W, 40.7128 N', 40.7128, -74.006], ['33°51′54″S 151°12′34″E', -33.865, 151.20944],
    ['40°42.767′N 74°0.367′W', 40.71278, -74.00612], [`40° 42' 46" N, 74° 0' 22" W`, 40.71278, -74.00611],
  ] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, `${written}: ${r.ok ? '' : r.reason}`);
    assert.equal(r.place.precision, 'coordinates', written);
    assert.ok(Math.abs(r.place.lat - lat) < 1e-4 && Math.abs(r.place.lon - lon) < 1e-4, `${written}: ${r.place.lat}, ${r.place.lon}`);
  }
  // Two latitudes, a hemisphere on both sides, minutes of 60: not coordinates; out of range: said so.
  for (const written of ['40 N 74 N', 'N 40.7 S, 74 W', '40°60′N 74°W']) assert.ok(!resolvePlace(written).ok, written);
  const far = resolvePlace('91 N, 10 E');
  assert.ok(!far.ok && /out of range/.test(far.reason), far.ok ? far.place.label : far.reason);
});

test('gazetteer: ambiguous names take the most populous and list the alternatives', () => {
  const r = resolvePlace('Austin, US');
  assert.ok(r.ok);
  assert.equal(r.place.label, 'Austin, TX, US');
  assert.deepEqual(r.alternatives.map((a) => a.label), ['Austin, MN, US', 'Austin, IN, US', 'Austin, AR, US']);
  assert.ok(r.alternatives.every((a) => a.population < r.place.population!));
  const ashburn = resolvePlace('Ashburn, US');
  assert.ok(ashburn.ok && ashburn.place.label === 'Ashburn, VA, US' && ashburn.alternatives.length === 2);
});

test('gazetteer: coordinates, time zones, unknown places', () => {
  const c = resolvePlace('40.7128, -74.0060');
  assert.ok(c.ok && c.place.precision === 'coordinates' && c.place.lat === 40.7128 && c.place.lon === -74.006);
  assert.equal(resolvePlace('91, 10').ok, false);
  const z = resolvePlace('Asia/Tokyo');
  assert.ok(z.ok);
  assert.equal(z.place.precision, 'time_zone');
  assert.ok(z.place.uncertaintyKm >= 1000);
  // zone1970.tab: JP,AU +353916+1394441 Asia/Tokyo
  assert.ok(Math.abs(z.place.lat - dms(35, 39, 16)) < 1e-9 && Math.abs(z.place.lon - dms(139, 44, 41)) < 1e-9);
  const unknown = resolvePlace('Atlantis, XX');
  assert.equal(unknown.ok, false);
  assert.equal(resolvePlace('Nowhere/Zone').ok, false);
  assert.equal(resolvePlace('Xqzzyville, US').ok, false);
});

test('tz tables: ISO 6709 coordinates, zone.tab fallback and links', () => {
  assert.deepEqual(parseIso6709('+4230+00131'), { lat: 42.5, lon: 1 + 31 / 60 });
  const ny = parseIso6709('+404251-0740023')!;
  assert.ok(Math.abs(ny.lat - dms(40, 42, 51)) < 1e-12 && Math.abs(ny.lon + dms(74, 0, 23)) < 1e-12);
  assert.equal(parseIso6709('nonsense'), null);
  assert.equal(zonePoint('America/New_York')!.table, 'zone1970.tab');
  assert.equal(zonePoint('Europe/Amsterdam')!.table, 'zone.tab');
  assert.equal(zonePoint('US/Eastern')!.zone, 'America/New_York');
  assert.equal(zonePoint('Asia/Calcutta')!.zone, 'Asia/Kolkata');
  assert.equal(zonePoint('UTC'), null);
});

test('roster time zones: IANA names, Windows names (CLDR table, also in their display form), US zones by their words and whole-hour offsets; anything else is unknown', async () => {
  const { ianaZoneOf } = await import('../src/geo/timezones.js');
  assert.deepEqual(ianaZoneOf('America/Chicago'), { zone: 'America/Chicago', from: 'iana' });
  assert.deepEqual(ianaZoneOf('Eastern Standard Time'), { zone: 'America/New_York', from: 'windows' });
  assert.deepEqual(ianaZoneOf('W. Europe Standard Time'), { zone: 'Europe/Berlin', from: 'windows' });
  assert.deepEqual(ianaZoneOf('India Standard Time'), { zone: 'Asia/Calcutta', from: 'windows' });
  // POSIX inverts the sign of Etc/GMT zones: UTC-05:00 is Etc/GMT+5.
  assert.deepEqual(ianaZoneOf('UTC-05:00'), { zone: 'Etc/GMT+5', from: 'offset' });
  assert.deepEqual(ianaZoneOf('GMT+1'), { zone: 'Etc/GMT-1', from: 'offset' });
  assert.deepEqual(ianaZoneOf('UTC+0'), { zone: 'Etc/GMT', from: 'offset' });
  // As HR systems and Windows' own lists write US zones (each was unknown before).
  for (const [written, zone] of [
    ['Eastern', 'America/New_York'], ['Pacific Time', 'America/Los_Angeles'], ['US Central', 'America/Chicago'], ['PT', 'America/Los_Angeles'],
    ['Mountain Time (US & Canada)', 'America/Denver'], ['(UTC-06:00) Central Time (US & Canada)', 'America/Chicago'], ['Hawaiian', 'Pacific/Honolulu'],
  ] as const) assert.deepEqual(ianaZoneOf(written), { zone, from: 'us' }, written);
  // Windows' display form by a city of its list that names a zone (it was Etc/GMT-1, without summer
  // time), by its name where CLDR has it, else by its whole-hour offset.
  assert.deepEqual(ianaZoneOf('(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna'), { zone: 'Europe/Amsterdam', from: 'windows' });
  assert.deepEqual(ianaZoneOf('(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi'), { zone: 'Asia/Kolkata', from: 'windows' });
  assert.deepEqual(ianaZoneOf('(UTC+02:00) Nowhere, Elsewhere'), { zone: 'Etc/GMT-2', from: 'offset' });
  assert.deepEqual(ianaZoneOf('(UTC) Coordinated Universal Time'), { zone: 'Etc/GMT', from: 'offset' });
  // An IANA name with spaces for its underscores.
  assert.deepEqual(ianaZoneOf('America/New York'), { zone: 'America/New_York', from: 'iana' });
  for (const unknown of ['UTC+5:30', 'Nowhere Time', '', 'UTC+15', '(UTC+05:30) Chennai, Mumbai, New Delhi', 'E', 'Easterns']) {
    assert.equal(ianaZoneOf(unknown), null, unknown);
  }
  // The offset zone keeps the clock it names: 14:00 UTC is 09:00 at UTC-05:00.
  const hour = new Intl.DateTimeFormat('en-US', { timeZone: ianaZoneOf('UTC-05:00')!.zone, hour: 'numeric', hourCycle: 'h23' }).format(Date.UTC(2026, 2, 2, 14));
  assert.equal(Number(hour), 9);

  // Workday's display form: the city in brackets decides (it was the fixed offset, without summer
  // time, or unknown for a half-hour offset), when its zone has the offset written.
  for (const [written, zone] of [
    ['(GMT-06:00) Central Time (Chicago)', 'America/Chicago'], ['(GMT-08:00) Pacific Time (Los Angeles)', 'America/Los_Angeles'],
    ['(GMT+05:30) India Standard Time (Kolkata)', 'Asia/Kolkata'], ['(GMT+00:00) Greenwich Mean Time (London)', 'Europe/London'],
    ['(GMT+09:30) Australian Central Standard Time (Adelaide)', 'Australia/Adelaide'], ['(GMT-07:00) Mountain Time (Phoenix)', 'America/Phoenix'],
  ] as const) assert.deepEqual(ianaZoneOf(written), { zone, from: 'windows' }, written);
  // Without a city (or with one of another offset): by its words, with or without the brackets.
  assert.deepEqual(ianaZoneOf('(GMT+05:30) India Standard Time'), { zone: 'Asia/Calcutta', from: 'windows' });
  assert.deepEqual(ianaZoneOf('(GMT-06:00) Central Time (London)'), { zone: 'America/Chicago', from: 'us' });

  const { resolveClaims } = await import('../src/baseline/claims.js');
  const entry = (account: string, timeZone: string, line: number) => ({
    account, key: account, site: null, location: null, timeZone, access: null, source: { file: 'roster.csv', line },
  });
  const { claims, warnings } = resolveClaims([entry('a', 'Eastern Standard Time', 2), entry('b', 'Eastern Standard Time', 3), entry('c', 'Nowhere', 4)],
    { resolvePlaces: false, strict: false });
  assert.equal(claims.get('a')!.timeZone, 'America/New_York');
  assert.equal(claims.get('c')!.timeZone, null);
  assert.ok(warnings.includes("roster.csv:2 (and 1 more row): time zone 'Eastern Standard Time' read as America/New_York"), warnings.join(' | '));
  assert.ok(warnings.includes("roster.csv:4: time zone 'Nowhere' unknown: ignored"), warnings.join(' | '));
});

test('US insular areas written as states ("San Juan, Puerto Rico, USA", "Ponce, PR, USA", "Salinas, PR") are looked for in the territory', () => {
  // GeoNames holds Puerto Rico, Guam, the US Virgin Islands, the Northern Marianas and American Samoa
  // as countries of their own. Before: "San Juan, Puerto Rico, USA" took San Juan, TX (2,900 km from
  // San Juan, PR, with a note that the region was not recognised) and "Austin, Puerto Rico, USA"
  // Austin, TX; "Salinas, PR" and "Salinas, Puerto Rico" weighed every US Salinas as "region PR" and
  // took Salinas, CA; "Ponce, PR, USA" and the Guam and Virgin Islands forms were not found.
  for (const [written, expected] of [
    ['San Juan, Puerto Rico, USA', 'San Juan, PR'], ['Ponce, PR, USA', 'Ponce, PR'], ['Salinas, PR', 'Salinas, PR'],
    ['Salinas, Puerto Rico', 'Salinas, PR'], ['Mayaguez, Puerto Rico, United States', 'Mayagüez, PR'],
    ['Tamuning, Guam, US', 'Tamuning, TM, GU'], ['Charlotte Amalie, VI, USA', 'Charlotte Amalie, VI'],
  ] as const) assert.equal(label(written), expected, written);
  const sanJuan = resolvePlace('San Juan, Puerto Rico, USA');
  assert.ok(sanJuan.ok && sanJuan.notes.some((n) => n.includes("'Puerto Rico' read as the territory PR")), sanJuan.ok ? sanJuan.notes.join(' | ') : sanJuan.reason);
  // A state is still a state: Salinas, CA is California's.
  assert.equal(label('Salinas, CA'), 'Salinas, CA, US');
  // No place of the name in the territory: said so, never a namesake in a state.
  const none = resolvePlace('Austin, Puerto Rico, USA');
  assert.ok(!none.ok && none.reason === "no place named 'Austin' in Puerto Rico (PR)", none.ok ? none.place.label : none.reason);
});

test("Guam's municipalities by the names rosters write (GeoNames: \"Dededo Village\"); a territory with its sovereign alone is no place", () => {
  // Before: "Dededo, GU" was "no place named 'Dededo' in GU".
  assert.equal(label('Dededo, GU'), 'Dededo Village, DD, GU');
  assert.equal(label('Yigo, Guam'), 'Yigo Village, YG, GU');
  // Before: "no place named 'Guam' in US", as if Guam were a town missing from the US.
  const guam = resolvePlace('Guam, US');
  assert.ok(!guam.ok && /^'Guam, US' read as 'Guam' \('US' left out: .*\): 'Guam' is a country, not a place in it/.test(guam.reason), guam.ok ? guam.place.label : guam.reason);
});

test('regions as rosters write them: China\'s and Korea\'s without the administrative word, Japan\'s in Hepburn, numeric ISO codes never taken for GeoNames\' numbers', () => {
  // Before: "Shenyang, Liaoning" and "Suwon, Gyeonggi" were "neither a country nor a region" (ISO 3166-2
  // names them "Liaoning Sheng", "Gyeonggi-do"); "Funabashi, Chiba" too (ISO writes Kunrei: "Tiba").
  // "Kobe, Hyogo" was not found although ISO's "Hyôgo" matched: its code JP-28 was compared with
  // GeoNames' admin-1 numbers, where Kobe is 13 and 28 is another prefecture (Nara's towns).
  for (const [written, country, region] of [
    ['Shenyang, Liaoning', 'CN', 'CN-LN'], ['Nanning, Guangxi', 'CN', 'CN-GX'], ['Hohhot, Inner Mongolia', 'CN', 'CN-NM'],
    ['Suwon, Gyeonggi', 'KR', 'KR-41'], ['Funabashi, Chiba', 'JP', 'JP-12'], ['Hamamatsu, Shizuoka', 'JP', 'JP-22'],
    ['Kobe, Hyogo', 'JP', 'JP-28'], ['Sapporo, Hokkaido', 'JP', 'JP-01'], ['Lyon, Rhone, France', 'FR', 'FR-69'],
  ] as const) {
    const r = resolvePlace(written);
    assert.ok(r.ok, `${written}: ${r.ok ? '' : r.reason}`);
    assert.equal(r.place.country, country, written);
    assert.ok(r.notes.some((n) => n.includes(`read as ${region}`)), `${written}: ${r.notes.join(' | ')}`);
  }
  assert.equal(label('Kobe, Hyogo'), 'Kobe, JP');
  // Letter codes GeoNames shares are still matched by code: a US state, a Swiss canton.
  assert.equal(label('Austin, Texas'), 'Austin, TX, US');
  assert.equal(label('Winterthur, ZH'), 'Winterthur, ZH, CH');
});

test('a city\'s own designation after its name ("Taipei City", "Bogota D.C.") is left out when the name with it is no place', () => {
  // Before: "no place named 'Taipei City' in Taiwan", "no place named 'Bogota D.C.' in Colombia".
  const taipei = resolvePlace('Taipei City, Taiwan');
  assert.ok(taipei.ok && taipei.place.label === 'Taipei, TW', taipei.ok ? taipei.place.label : taipei.reason);
  assert.ok(taipei.notes.includes("read as 'Taipei, Taiwan' ('City' after the city's name left out)"), taipei.notes.join(' | '));
  assert.equal(label('Bogota D.C., Colombia'), 'Bogotá, CO');
  // Names that hold the word keep it: these are places of their own.
  assert.equal(label('Salt Lake City, UT'), 'Salt Lake City, UT, US');
  assert.equal(label('Quezon City'), 'Quezon City, NCR, PH');
  // A name not found either way says so of the name as written (no "read as" that changed nothing).
  const none = resolvePlace('Xqzzy City');
  assert.ok(!none.ok && none.reason === "no place named 'Xqzzy City' in the gazetteer", none.ok ? none.place.label : none.reason);
});

test('metropolitan areas as profiles write them, and a region or country in words without its comma ("Austin Texas")', () => {
  // Before: each of these was location_unknown ("no place named 'Greater Seattle Area'...").
  for (const [written, expected] of [
    ['Greater Seattle Area', 'Seattle, WA, US'], ['San Francisco Bay Area', 'San Francisco, CA, US'],
    ['Dallas-Fort Worth Metroplex', 'Dallas, TX, US'], ['Raleigh-Durham, NC', 'Raleigh, NC, US'],
    ['Minneapolis-St. Paul, MN', 'Minneapolis, MN, US'], ['Tampa/St. Petersburg, FL', 'Tampa, FL, US'],
    ['Phoenix Metro, AZ', 'Phoenix, AZ, US'], ['Austin Texas', 'Austin, TX, US'], ['Portland Oregon', 'Portland, OR, US'],
    ['Salt Lake City Utah', 'Salt Lake City, UT, US'], ['Dublin Ireland', 'Dublin, IE'],
  ] as const) assert.equal(label(written), expected, written);
  assert.equal(firstNote('Greater Seattle Area'), "read as 'Seattle' ('Greater Seattle Area' taken as a metropolitan area, at its first-named city)");
  // Hyphenated names that are places stay whole; "Bay Area" alone names no city (not Bodega Bay).
  assert.equal(label('Winston-Salem, NC'), 'Winston-Salem, NC, US');
  assert.equal(label('Greater Sudbury'), 'Greater Sudbury, CA');
  assert.ok(!resolvePlace('Bay Area, CA').ok);
});

test('location hierarchies joined by dashes without spaces ("US-TX-Austin", "GBR-London", "Portland-ME") and ISO alpha-3 country codes', () => {
  // Before: not found ("no place named 'US-TX-Austin'"), or read as a metropolitan area at its first
  // part: GBR-London was Great Barrington, MA; IND-Bangalore Indianapolis; FRA-Paris Frankfurt;
  // CAN-ON-Toronto Çan, Turkey; BRA-Sao Paulo Bra, Italy; Portland-ME Portland, Oregon.
  for (const [written, expected] of [
    ['US-TX-Austin', 'Austin, TX, US'], ['USA-Texas-Austin', 'Austin, TX, US'], ['USA-CA-Los Angeles', 'Los Angeles, CA, US'],
    ['GBR-London', 'London, ENG, GB'], ['IND-Bangalore', 'Bengaluru, IN'], ['FRA-Paris', 'Paris, FR'], ['DE-Berlin', 'Berlin, DE'],
    ['CAN-ON-Toronto', 'Toronto, CA'], ['BRA-Sao Paulo', 'São Paulo, BR'], ['Portland-ME', 'Portland, ME, US'],
    ['Austin-TX-US', 'Austin, TX, US'], ['US-NC-Winston-Salem', 'Winston-Salem, NC, US'], ['Winston-Salem-NC', 'Winston-Salem, NC, US'],
    // Alpha-3 after a comma too (before: "'GBR' is neither a country nor a region of a place named 'London'").
    ['London, GBR', 'London, ENG, GB'], ['Toronto, CAN', 'Toronto, CA'], ['Sao Paulo, BRA', 'São Paulo, BR'],
  ] as const) assert.equal(label(written), expected, written);
  assert.equal(firstNote('US-TX-Austin'), "read as 'Austin, TX, US' ('-' read as a separator of a location hierarchy, city first)");
  // Names with hyphens stay whole; a country's own hyphenated name is a country.
  for (const [written, expected] of [['Winston-Salem', 'Winston-Salem, NC, US'], ['Aix-en-Provence', 'Aix-en-Provence, FR'], ['Baden-Baden', 'Baden-Baden, DE'], ['Raleigh-Durham', 'Raleigh, NC, US']] as const) {
    assert.equal(label(written), expected, written);
  }
  assert.ok(!resolvePlace('Guinea-Bissau').ok);
  // A country and its region's code alone (ISO 3166-2, "US-CA") is a region, not a place.
  const california = resolvePlace('US-CA');
  assert.ok(!california.ok && california.reason === `'US-CA' read as the region CA of US: a region, not a place in it (give "City, CA, US" or "lat,lon")`, california.ok ? california.place.label : california.reason);
  // Alpha-3 only in capitals: words are no country codes.
  assert.equal(countryCode('GBR'), 'GB');
  assert.equal(countryCode('can'), null);
});

test('parts of the world and sales regions ("Asia", "APAC", "EMEA - UK - London") are no place, alone or in a hierarchy', () => {
  // Before: each was a town: Asia, PH; Mahdia, TN (an alternate name 'Africa'); Apac, UG; Mena, UA;
  // North Salt Lake, UT ('North, America'); Surabaya ('Sub-Saharan Africa' as a metro area at 'Sub').
  for (const written of ['Asia', 'Africa', 'APAC', 'MENA', 'North America', 'Sub-Saharan Africa', 'Asia-Pacific', 'EMEA', 'LATAM']) {
    const r = resolvePlace(written);
    assert.ok(!r.ok && r.reason === `'${written}' is a part of the world, not a place in it (give "City, Country" or "lat,lon")`, `${written}: ${r.ok ? r.place.label : r.reason}`);
  }
  const remote = resolvePlace('Remote - APAC');
  assert.ok(!remote.ok && remote.reason === `'Remote - APAC' names a part of the world ('APAC'), not a place in it (give "City, Country" or "lat,lon")`, remote.ok ? remote.place.label : remote.reason);
  // In a hierarchy it is left out, with a note (before: not found).
  const london = resolvePlace('EMEA - UK - London');
  assert.ok(london.ok && london.place.label === 'London, ENG, GB', london.ok ? london.place.label : london.reason);
  assert.deepEqual(london.notes, ["read as 'London, UK' (written country first)", "'EMEA' left out (a part of the world, not a place)"]);
  assert.equal(label('APAC - India - Bangalore'), 'Bengaluru, IN');
  // A town of such a name with its country is still that town.
  assert.equal(label('Asia, Batangas, Philippines'), 'Asia, PH');
});

test('a region\'s code alone ("NY", "Remote - QC") is the region, never a place in it by an alternate name', () => {
  // Before: "NY" and "Remote - NY" were New York City, "QC" Québec City (GeoNames' alternate names).
  for (const [written, region] of [['NY', 'US-NY'], ['N.Y.', 'US-NY'], ['QC', 'CA-QC'], ['NSW', 'AU-NSW'], ['KA', 'IN-KA']] as const) {
    const r = resolvePlace(written);
    assert.ok(!r.ok && r.reason === `'${written}' is a region's code (${region}), not a place in it (give "City, ${written}" or "lat,lon")`, `${written}: ${r.ok ? r.place.label : r.reason}`);
  }
  const remote = resolvePlace('Remote - NY');
  assert.ok(!remote.ok && remote.reason.endsWith(`'NY' is a region's code (US-NY), not a place in it (give "City, NY" or "lat,lon")`), remote.ok ? remote.place.label : remote.reason);
  // With a city, and the region's name alone where its place lies in it, as before.
  assert.equal(label('NY, NY'), 'New York City, NY, US');
  assert.equal(label('New York'), 'New York City, NY, US');
  assert.equal(label('Quebec'), 'Québec, CA');
  assert.equal(label('NYC'), 'New York City, NY, US');
});

test('what HR writes around a place: the place in brackets after a work arrangement, such words before it, a region in brackets after it', () => {
  // Before: not found ("'TX)' is neither a country nor a region of a place named 'Remote (Austin'",
  // "no place named 'Home Office - Denver' in CO": "Office" was cut as a site's word, leaving "Home").
  for (const [written, expected] of [
    ['Remote (Austin, TX)', 'Austin, TX, US'], ['Hybrid (Seattle, WA)', 'Seattle, WA, US'], ['Remote (Denver)', 'Denver, CO, US'],
    ['(Austin, TX)', 'Austin, TX, US'], ['Home Office - Denver, CO', 'Denver, CO, US'], ['Home Based, Leeds', 'Leeds, ENG, GB'],
    ['WFH Chicago', 'Chicago, IL, US'], ['Remote: Austin, TX', 'Austin, TX, US'], ['Remote-Austin', 'Austin, TX, US'],
    ['HQ - Austin', 'Austin, TX, US'], ['Virtual - Austin', 'Austin, TX, US'],
    // Before: Portland, Oregon; the region in brackets was cut as a note.
    ['Portland (ME)', 'Portland, ME, US'], ['Portland (Maine)', 'Portland, ME, US'], ['Springfield (IL)', 'Springfield, IL, US'],
  ] as const) assert.equal(label(written), expected, written);
  assert.equal(firstNote('Remote (Austin, TX)'), "read as 'Austin, TX' (the place in brackets after 'Remote')");
  assert.equal(firstNote('Portland (ME)'), "read as 'Portland, ME' (a note, a work arrangement or a postal code left out)");
  // A country in brackets is still no place; the reason says how it was read.
  const us = resolvePlace('Remote (US)');
  assert.ok(!us.ok && us.reason === `'Remote (US)' read as 'US' (the place in brackets after 'Remote'): 'US' is a country, not a place in it (give "City, US" or "lat,lon")`, us.ok ? us.place.label : us.reason);
  // Places whose names start with such words are unchanged.
  assert.equal(label('Homestead, FL'), 'Homestead, FL, US');
  assert.equal(label('Home Hill, QLD'), 'Home Hill, AU');
  assert.ok(!resolvePlace('Virtual').ok);
});

test('cities renamed lately that the packaged GeoNames data knows by their former name ("Gurugram"), and regions\' short names ISO does not give ("CDMX", "CABA")', () => {
  // Before: "no place named 'Gurugram' in India", "'CDMX' is neither a country nor a region of a place named 'Mexico City'".
  for (const [written, expected] of [
    ['Gurugram, Haryana, India', 'Gurgaon, IN'], ['Gurugram', 'Gurgaon, IN'], ['Chattogram, Bangladesh', 'Chittagong, BD'], ['Gqeberha', 'Port Elizabeth, ZA'],
    ['Mexico City, CDMX', 'Mexico City, MX'], ['Buenos Aires, CABA', 'Buenos Aires, AR'], ['Mexico City, Distrito Federal', 'Mexico City, MX'],
  ] as const) assert.equal(label(written), expected, written);
  assert.equal(firstNote('Gurugram, Haryana, India'), "'Gurugram' read as Gurgaon, its name until 2016, which the packaged GeoNames data still uses");
  const cdmx = resolvePlace('Mexico City, CDMX');
  assert.ok(cdmx.ok && cdmx.notes[0]!.startsWith("region 'CDMX' read as MX-CMX"), cdmx.ok ? cdmx.notes.join(' | ') : cdmx.reason);
  // The former name as written is as before, without a note.
  const gurgaon = resolvePlace('Gurgaon');
  assert.ok(gurgaon.ok && gurgaon.place.label === 'Gurgaon, IN' && gurgaon.notes.length === 0);
});

test('a postal code before the city, as European addresses write it ("75001 Paris", "10115 Berlin, DE", "SW1A 1AA London")', () => {
  // Before: "no place named '75001 Paris' in the gazetteer" (only a code after the city was cut).
  for (const [written, expected] of [
    ['75001 Paris', 'Paris, FR'], ['10115 Berlin, DE', 'Berlin, DE'], ['SW1A 1AA London', 'London, ENG, GB'], ['D-10115 Berlin', 'Berlin, DE'],
    ['CH-8001 Zurich', 'Zürich, ZH, CH'], ['1011 AB Amsterdam', 'Amsterdam, NL'], ['100-0001 Tokyo', 'Tokyo, JP'], ['04524-000 Sao Paulo', 'São Paulo, BR'],
  ] as const) assert.equal(label(written), expected, written);
  assert.equal(firstNote('10115 Berlin, DE'), "read as 'Berlin, DE' ('10115' before the city taken as a postal code and left out)");
  // A house's number before a street is no postal code: the street goes, as before; four digits
  // before a name that is only an alternate name are not taken (before this, "1234 Elm" would be Elmira, NY).
  assert.equal(label('2500 Oak Lane, Dallas, TX'), 'Dallas, TX, US');
  assert.equal(label('1600 Pennsylvania Ave NW, Washington, DC 20500'), 'Washington, D.C., US');
  assert.ok(!resolvePlace('1234 Elm').ok);
});

test('a county or parish ("Orange County, CA") is refused as an area, not as a town not found', () => {
  // Before: "no place named 'Orange County' in CA", "'WA' is neither a country nor a region of a place named 'King County'".
  for (const [written, reason] of [
    ['Orange County, CA', `'Orange County' is a county, an area and not a place in it (give "City, CA" or "lat,lon")`],
    ['King County, WA', `'King County' is a county, an area and not a place in it (give "City, WA" or "lat,lon")`],
    ['Jefferson Parish, LA', `'Jefferson Parish' is a parish, an area and not a place in it (give "City, LA" or "lat,lon")`],
    ['Los Angeles County', `'Los Angeles County' is a county, an area and not a place in it (give "City, State" or "lat,lon")`],
  ] as const) {
    const r = resolvePlace(written);
    assert.ok(!r.ok && r.reason === reason, `${written}: ${r.ok ? r.place.label : r.reason}`);
  }
  assert.equal(label('Orange, CA'), 'Orange, CA, US');
});

test('a lone code in capitals ("IAD", "ORD") names only a place GeoNames gives that code in capitals, never a word of its letters', () => {
  // Before: "IAD" (Washington Dulles) was Livezile, Romania, by its old name Iad; "ORD" (Chicago
  // O'Hare) the village of Ord, Nebraska; "BOS" and "SIN" were ambiguous with Gabčíkovo and Sinj.
  for (const code of ['IAD', 'ORD', 'CDG']) {
    const r = resolvePlace(code);
    assert.ok(!r.ok && /^'[A-Z]{3}' looks like a code \(an airport's, a site's\), and no place has it as a name in capitals: give the city/.test(r.reason), r.ok ? r.place.label : r.reason);
  }
  for (const [code, expected] of [['DFW', 'Dallas, TX, US'], ['SEA', 'Seattle, WA, US'], ['NYC', 'New York City, NY, US'], ['BOS', 'Boston, MA, US'], ['SIN', 'Singapore, SG']] as const) {
    const r = resolvePlace(code);
    assert.ok(r.ok, code);
    assert.deepEqual([r.place.label, r.alternatives.length, r.notes], [expected, 0, [`'${code}' matched as an alternate name`]], code);
  }
  // Words keep their reading: a country's code alone is still a country, a name in other case a name.
  const usa = resolvePlace('USA');
  assert.ok(!usa.ok && /is a country, not a place in it/.test(usa.reason));
  assert.equal(label('Ord, NE'), 'Ord, NE, US');
});

test('a larger place of the same country that has the name as another of its names is said, with its own name to give ("Querétaro, Mexico")', () => {
  // Before: "Querétaro, Mexico" and "Queretaro, MX" were a hamlet of 2,203 in Chiapas with nothing
  // said, 900 km from Santiago de Querétaro; alone, "Queretaro" advised "Queretaro, MX", which gave
  // the same hamlet.
  const note = '\'Querétaro\' is also a name of Santiago de Querétaro, MX (pop. 626,495), not taken: give its own name for it ("Santiago de Querétaro, MX")';
  for (const written of ['Querétaro, Mexico', 'Querétaro']) {
    const r = resolvePlace(written);
    assert.ok(r.ok && r.place.label === 'Querétaro, MX', written);
    assert.deepEqual(r.notes, [note], written);
  }
  assert.equal(label('Santiago de Querétaro, MX'), 'Santiago de Querétaro, MX');
  // Another country's larger place is said only of a name alone (Gothenburg, NE and Göteborg).
  const alone = resolvePlace('Gothenburg');
  assert.ok(alone.ok && alone.notes[0]!.endsWith('give its country for it ("Gothenburg, SE")'));
  const paris = resolvePlace('Paris, TX');
  assert.ok(paris.ok && paris.notes.length === 0);
});

test('a region and its country without a comma between them ("Austin, TX US", "Austin TX USA", "Toronto, Ontario Canada")', () => {
  // Before: "'TX US' is neither a country nor a region", "no place named 'Austin TX USA'"; and
  // "Winston-Salem NC US" was read as a metropolitan area at Winston, FL.
  for (const [written, expected] of [
    ['Austin, TX US', 'Austin, TX, US'], ['Austin TX USA', 'Austin, TX, US'], ['Austin Texas USA', 'Austin, TX, US'],
    ['Saint Paul, MN US', 'Saint Paul, MN, US'], ['Winston-Salem NC US', 'Winston-Salem, NC, US'],
    ['Toronto, Ontario Canada', 'Toronto, CA'], ['Sydney NSW Australia', 'Sydney, AU'],
  ] as const) assert.equal(label(written), expected, written);
  assert.equal(firstNote('Austin, TX US'), "read as 'Austin, TX, US' ('TX US' read as a region and its country)");
  // Forms read before keep their reading.
  assert.equal(label('Austin, TX'), 'Austin, TX, US');
  assert.equal(label('Dublin Ireland'), 'Dublin, IE');
});

/** Why `q` is refused (it must be). */
function refusal(q: string): string {
  const r = resolvePlace(q);
  assert.ok(!r.ok, `${q}: read as ${r.ok ? r.place.label : ''}`);
  return r.reason;
}

test('a semicolon between the parts and a region in square brackets ("Austin; TX", "Austin [TX]")', () => {
  // Before: "no place named 'Austin; TX' in the gazetteer", "no place named 'Austin [TX]' in the gazetteer".
  for (const [written, expected] of [
    ['Austin; TX', 'Austin, TX, US'], ['Austin; TX; USA', 'Austin, TX, US'], ['Austin [TX]', 'Austin, TX, US'],
    ['Portland [ME]', 'Portland, ME, US'], ['Remote [Austin, TX]', 'Austin, TX, US'], ['Austin, TX [HQ]', 'Austin, TX, US'],
  ] as const) assert.equal(label(written), expected, written);
  assert.equal(firstNote('Austin; TX'), "read as 'Austin, TX' (';' read as a comma)");
  // Coordinates written with a semicolon are read as they were.
  const coords = resolvePlace('40.7128; -74.0060');
  assert.ok(coords.ok && coords.place.precision === 'coordinates' && coords.notes.length === 0);
});

test('Brazil\'s state codes after the city ("Sao Paulo - SP", "Belem, PA") tell its states apart; Mexico City\'s "D.F."', () => {
  // Before: "no place named 'Sao Paulo - SP'", "'SP' is neither a country nor a region of a place named
  // 'São Paulo'", "no place named 'Belem' in PA", "'D.F.' is neither a country nor a region of a place
  // named 'Mexico City'".
  for (const [written, expected] of [
    ['Sao Paulo - SP', 'São Paulo, BR'], ['São Paulo, SP', 'São Paulo, BR'], ['Sao Paulo SP', 'São Paulo, BR'],
    ['Rio de Janeiro - RJ', 'Rio de Janeiro, BR'], ['Belo Horizonte - MG', 'Belo Horizonte, BR'], ['Campinas - SP', 'Campinas, BR'],
    ['Belem, PA', 'Belém, BR'], ['Brasília - DF', 'Brasília, BR'], ['Mexico City, D.F.', 'Mexico City, MX'], ['Mexico City, DF', 'Mexico City, MX'],
  ] as const) assert.equal(label(written), expected, written);
  // GeoNames numbers Brazil's states; each code is its own state's, checked by its capital (the state's
  // one PPLA row in the dump): a capital is found with its own state's code and not with another's.
  const capitals: [string, string][] = [
    ['Rio Branco', 'AC'], ['Maceió', 'AL'], ['Macapá', 'AP'], ['Manaus', 'AM'], ['Salvador', 'BA'], ['Fortaleza', 'CE'], ['Brasília', 'DF'],
    ['Vitória', 'ES'], ['Campo Grande', 'MS'], ['São Luís', 'MA'], ['Cuiabá', 'MT'], ['Belo Horizonte', 'MG'], ['Belém', 'PA'],
    ['João Pessoa', 'PB'], ['Curitiba', 'PR'], ['Teresina', 'PI'], ['Rio de Janeiro', 'RJ'], ['Natal', 'RN'], ['Porto Alegre', 'RS'],
    ['Porto Velho', 'RO'], ['Boa Vista', 'RR'], ['Florianópolis', 'SC'], ['São Paulo', 'SP'], ['Aracaju', 'SE'], ['Goiânia', 'GO'],
    ['Recife', 'PE'], ['Palmas', 'TO'],
  ];
  for (const [capital, state] of capitals) {
    const r = resolvePlace(`${capital}, ${state}, Brazil`);
    assert.ok(r.ok && r.place.country === 'BR' && r.notes.length === 0, `${capital}, ${state}: ${r.ok ? r.notes.join(' | ') : r.reason}`);
  }
  assert.ok(!resolvePlace('Curitiba, SP').ok);
  // A code that is also a country's keeps the country's place: Toledo, Spain, not Toledo, Paraná.
  assert.equal(label('Toledo, ES'), 'Toledo, ES');
  assert.equal(label('Pittsburgh, PA'), 'Pittsburgh, PA, US');
  assert.equal(label('Lima, PE'), 'Lima, LMA, PE');
});

test('a Japanese or Brazilian postal code after the city ("Tokyo 100-0001") is left out', () => {
  // Before: "no place named 'Tokyo 100-0001' in the gazetteer".
  for (const [written, expected] of [
    ['Tokyo 100-0001', 'Tokyo, JP'], ['Tokyo 100-0001, Japan', 'Tokyo, JP'], ['Sao Paulo 01310-100', 'São Paulo, BR'],
  ] as const) assert.equal(label(written), expected, written);
  assert.equal(firstNote('Tokyo 100-0001'), "read as 'Tokyo' (a postal code left out)");
});

test('an area is no place: "Long Island" (an island) and "Île-de-France" (a region with regions of its own)', () => {
  // Before: both were a city by an alternate name, "Long Island, NY" Long Island City (a neighbourhood
  // of Queens) and "Ile-de-France" Paris.
  assert.equal(refusal('Long Island, NY'), `'Long Island' is an island, an area and not a place on it (give "City, NY" or "lat,lon")`);
  assert.equal(refusal('Long Island'), `'Long Island' is an island, an area and not a place on it (give "City, State" or "lat,lon")`);
  assert.match(refusal('Remote - Long Island, NY'), /'Long Island' is an island/);
  assert.match(refusal('Long Island NY'), /'Long Island' is an island/);
  for (const written of ['Ile-de-France', 'Île-de-France', 'Île-de-France, France']) {
    const name = written.split(',')[0]!;
    assert.equal(refusal(written), `'${name}' is a region (FR-IDF), not a place in it (give "City, ${name}" or "lat,lon")`, written);
  }
  // Not one of its towns by a word of its name: "Ile" was Killeen, TX as a metropolitan area's first city.
  assert.match(refusal('HQ - Ile-de-France'), /is a region \(FR-IDF\)/);
  // The places in them, and a city that is a region of its own (no subdivisions), as before.
  assert.equal(label('Long Island City, NY'), 'Long Island City, NY, US');
  assert.equal(label('Paris, Île-de-France, France'), 'Paris, FR');
  assert.equal(label('Wien'), 'Vienna, AT');
});

test('a house\'s number before a street ("1234 Broadway") is a street address, not a postal code', () => {
  // Before: Broadway, VA ("'1234' before the city taken as a postal code"): US ZIP codes have five digits.
  assert.equal(refusal('1234 Broadway'), `'1234 Broadway' is a street address ('1234' a house's number before 'Broadway': the postal codes of US, where Broadway, VA, US is, are not four digits), not a place (give "City, State" or "lat,lon")`);
  // Four digits before a town of a country whose codes have four are still its postal code.
  assert.equal(label('8001 Zürich'), 'Zürich, ZH, CH');
  assert.equal(firstNote('8001 Zürich'), "read as 'Zürich' ('8001' before the city taken as a postal code and left out)");
});

test('a US state with its country ("Georgia, US") is said to be a state, not taken for the country Georgia', () => {
  // Before: "'Georgia, US' read as 'Georgia' ('US' left out: the gazetteer holds Georgia as a territory
  // of its own): 'Georgia' is a country"; "Texas, US" was "no place named 'Texas' in US".
  assert.equal(refusal('Georgia, US'), `'Georgia' is a region (US-GA), not a place in it (give "City, Georgia" or "lat,lon")`);
  assert.equal(refusal('Georgia, USA'), `'Georgia' is a region (US-GA), not a place in it (give "City, Georgia" or "lat,lon")`);
  assert.equal(refusal('Texas, US'), `'Texas' is a region (US-TX), not a place in it (give "City, Texas" or "lat,lon")`);
  // A US insular area with its sovereign stays a territory of its own, as before.
  assert.match(refusal('Guam, US'), /'Guam' is a country, not a place in it/);
  assert.equal(label('Atlanta, Georgia, US'), 'Atlanta, GA, US');
});

test('a region with its country is the region, even where a town of its name exists elsewhere in the country', () => {
  // Before: a town of the state's name in another state, by its own name or an alternate one, each
  // thousands of km from the state a roster meant.
  const before: [string, string, string][] = [
    ['California, USA', 'California, MD, US', 'US-CA'], ['Nevada, USA', 'Nevada, MO, US', 'US-NV'], ['Florida, USA', 'Florida, NY, US', 'US-FL'],
    ['Oregon, USA', 'Oregon, OH, US', 'US-OR'], ['Virginia, USA', 'Virginia, MN, US', 'US-VA'],
    ['Colorado, US', 'Colorado City, TX, US', 'US-CO'], ['Arizona, US', 'Yuma, AZ, US', 'US-AZ'],
  ];
  for (const [written, , region] of before) {
    const name = written.split(',')[0]!;
    assert.equal(refusal(written), `'${name}' is a region (${region}), not a place in it (give "City, ${name}" or "lat,lon")`, written);
  }
  // The place of the region's name that lies in it and is its great city stays (New York City by an
  // alternate name, 8 million people), as do capitals that are regions of their own.
  assert.equal(label('New York, USA'), 'New York City, NY, US');
  for (const [written, city] of [['Berlin, Germany', 'Berlin, DE'], ['Tokyo, Japan', 'Tokyo, JP'], ['Madrid, Spain', 'Madrid, ES']] as const) {
    assert.ok(label(written).startsWith(city.split(',')[0]!), `${written}: ${label(written)}`);
  }
  // With a city, the region is read as before.
  assert.equal(label('Sacramento, California, USA'), 'Sacramento, CA, US');
  // A hyphenated city's name and its region's code without a comma: the city, not a metropolitan
  // area at its first part (before: Winston, FL, 912 km off; Arden, Denmark; Lexington's centre).
  assert.equal(label('Winston-Salem NC'), 'Winston-Salem, NC, US');
  assert.equal(label('Arden-Arcade CA'), 'Arden-Arcade, CA, US');
  assert.equal(label('Lexington-Fayette KY'), 'Lexington-Fayette, KY, US');
  // A code that is a country's and a region's: the place read in the region is not the country's
  // region of that name ("Ontario, CA" is Ontario, California, not the province of Canada).
  assert.equal(label('Ontario, CA'), 'Ontario, CA, US');
});
