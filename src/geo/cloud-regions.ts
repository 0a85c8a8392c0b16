// Server locations given as a cloud region. Azure's regions by name (an AVD session host's region:
// `--server-location "East US"`, `eastus`), from its own region metadata (data/azure/). AWS's and
// Google Cloud's by region ID (`us-east-1`, `europe-west3`; AWS's also by its console name, `US East
// (N. Virginia)`), from data/cloud/regions.csv: neither publishes coordinates, so each row names the
// place the provider's documentation gives (a city for Google; for AWS often only a state or
// country, whose row says how far its point may be off) and that place is read in the gazetteer.
// A region ID is never resolved to a town of a similar name ("Central US" was Central, LA).
import { readFileSync } from 'node:fs';
import { resolvePlace, type ResolvedPlace } from './gazetteer.js';

const REGIONS_FILE = new URL('../../../data/azure/regions.csv', import.meta.url);

/**
 * How far a region's servers may lie from its metadata point, km: a region is one or more data
 * centres of a metro area (East US's point is Boydton, VA; its data centres are around it), wider
 * than a person's city.
 */
export const AZURE_REGION_UNCERTAINTY_KM = 100;

interface AzureRegion { name: string; lat: number; lon: number }

let regions: Map<string, AzureRegion> | null = null;

/** "West US 2", "westus2", "Azure West US 2", "west-us-2" -> "westus2" (Azure's own programmatic name). */
function regionKey(text: string): string {
  return text.trim().toLowerCase().replace(/^(?:microsoft\s+)?azure[\s:-]*/, '').replace(/[\s_-]+/g, '');
}

function loadRegions(): Map<string, AzureRegion> {
  if (regions !== null) return regions;
  regions = new Map();
  const lines = readFileSync(REGIONS_FILE, 'utf8').trim().split('\n').slice(1);
  for (const line of lines) {
    const [name, lat, lon] = line.split(',');
    regions.set(regionKey(name!), { name: name!, lat: Number(lat), lon: Number(lon) });
  }
  return regions;
}

/** The Azure region `text` names (display or programmatic name, "Azure " before it or not), else null. */
export function azureRegion(text: string): ResolvedPlace | null {
  if (text.includes(',')) return null; // "Central, US" is a place; region names have no comma
  const region = loadRegions().get(regionKey(text));
  if (region === undefined) return null;
  return {
    query: text.trim(), label: `Azure ${region.name}`, lat: region.lat, lon: region.lon, precision: 'city',
    uncertaintyKm: AZURE_REGION_UNCERTAINTY_KM, source: 'Azure region metadata (az account list-locations; data/azure/regions.csv)',
    country: null, population: null, timeZone: null,
  };
}

const OTHER_REGIONS_FILE = new URL('../../../data/cloud/regions.csv', import.meta.url);
const PROVIDER_NAME = { aws: 'AWS', gcp: 'Google Cloud' } as const;
/** The provider's name with its article, for the reasons: "an AWS region", "a Google Cloud region". */
const A_PROVIDER = { aws: 'an AWS', gcp: 'a Google Cloud' } as const;
type Provider = keyof typeof PROVIDER_NAME;

/** One AWS or Google Cloud region: the place its provider names, and the point keylag takes for it. */
export interface OtherCloudRegion {
  provider: Provider;
  region: string;
  /** As the provider's documentation writes where it is: "US East (N. Virginia)", "Council Bluffs, Iowa". */
  providerLocation: string;
  /** The gazetteer place taken as its point: "Ashburn, VA, US". */
  point: string;
  /** How far the region's data centres may lie from that point, km. */
  uncertaintyKm: number;
}

let otherRegions: Map<string, OtherCloudRegion> | null = null;

/** Every AWS and Google Cloud region of the table, in its order (for tests and docs). */
export function otherCloudRegions(): OtherCloudRegion[] {
  return [...new Set(loadOtherRegions().values())];
}

/** "US East (N. Virginia)", "EU (Frankfurt)" -> "us east n virginia", "europe frankfurt": AWS's console names, loosely. */
function consoleNameKey(text: string): string {
  return text.trim().toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/^eu\b/, 'europe')
    .replace(/\bnorthern\b/, 'n').replace(/[^a-z0-9]+/g, ' ').trim();
}

function loadOtherRegions(): Map<string, OtherCloudRegion> {
  if (otherRegions !== null) return otherRegions;
  otherRegions = new Map();
  const lines = readFileSync(OTHER_REGIONS_FILE, 'utf8').trim().split('\n').slice(1);
  for (const line of lines) {
    // provider,region,provider_location,point,uncertainty_km; the two texts may be quoted (commas).
    const cells = [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].map((m) => m[2] ?? m[1]!).slice(0, 5);
    const [provider, region, providerLocation, point, km] = cells as [Provider, string, string, string, string];
    const entry: OtherCloudRegion = { provider, region, providerLocation, point, uncertaintyKm: Number(km) };
    otherRegions.set(region, entry);
    if (provider === 'aws') otherRegions.set(`name:${consoleNameKey(providerLocation)}`, entry);
  }
  return otherRegions;
}

/** AWS (us-east-1, ap-southeast-2) and GCP (europe-west1, us-central1) region IDs. */
const OTHER_CLOUD_REGION_RE = /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:gov-|iso-|isob-)?(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d+|(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)\d+)$/i;
/** "AWS us-east-1", "aws:us-east-1", "Amazon eu-west-1", "GCP europe-west3", "gcp:europe-west3", "Google Cloud us-central1". */
const PROVIDER_PREFIX_RE = /^(?:(aws|amazon(?:\s+web\s+services)?)|(gcp|google(?:\s+cloud)?(?:\s+platform)?))(?:\s*[:/]\s*|\s+)/i;

/**
 * The AWS or Google Cloud region `text` names (its ID, with the provider before it or not; an AWS
 * console name), as a place; a region ID keylag has no row for is a reason, never a town's name.
 * Null when `text` is no such region.
 */
export function otherCloudRegion(text: string): { ok: true; place: ResolvedPlace; notes: string[] } | { ok: false; reason: string } | null {
  const written = text.trim();
  const prefix = PROVIDER_PREFIX_RE.exec(written);
  const named: Provider | null = prefix === null ? null : prefix[1] !== undefined ? 'aws' : 'gcp';
  const rest = prefix === null ? written : written.slice(prefix[0].length).trim();
  const regions = loadOtherRegions();
  const isId = OTHER_CLOUD_REGION_RE.test(rest);
  const entry = isId ? regions.get(rest.toLowerCase()) : named !== 'gcp' ? regions.get(`name:${consoleNameKey(rest)}`) : undefined;
  if (entry === undefined) {
    if (!isId) return null;
    return {
      ok: false,
      reason: `'${written}' looks like ${named === null ? 'an AWS or Google Cloud' : A_PROVIDER[named]} region ID that keylag's table (data/cloud/regions.csv) does not hold: `
        + 'give the data centre\'s city ("Ashburn, US") or lat,lon',
    };
  }
  if (named !== null && named !== entry.provider) {
    return { ok: false, reason: `'${written}': ${entry.region} is ${A_PROVIDER[entry.provider]} region, not ${PROVIDER_NAME[named]}'s` };
  }
  const resolved = resolvePlace(entry.point);
  // The table's points are checked to resolve (test/cloud-regions.test.ts): this is a defect, not input.
  if (!resolved.ok) throw new Error(`data/cloud/regions.csv: ${entry.region}'s point '${entry.point}' is not in the gazetteer: ${resolved.reason}`);
  const provider = PROVIDER_NAME[entry.provider];
  return {
    ok: true,
    place: {
      ...resolved.place,
      query: written,
      label: `${provider} ${entry.region} (${entry.providerLocation})`,
      uncertaintyKm: entry.uncertaintyKm,
      source: `${provider} region ${entry.region}, "${entry.providerLocation}" in ${provider}'s documentation; point ${resolved.place.label} (${resolved.place.source}), ±${entry.uncertaintyKm} km (data/cloud/regions.csv)`,
      population: null,
    },
    notes: [`'${written}' read as the ${provider} region ${entry.region} (${entry.providerLocation}): its point is ${resolved.place.label}, ±${entry.uncertaintyKm} km`],
  };
}
