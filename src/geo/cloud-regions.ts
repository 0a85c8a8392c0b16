// Server locations given as a cloud region (an AVD session host's Azure region: `--server-location
// "East US"`, `eastus`): Azure's regions by name, from its own region metadata (data/azure/). Other
// clouds' region IDs (AWS `us-east-1`, GCP `europe-west1`) have no table here: they are named as
// such in the error, never resolved to a town of a similar name ("Central US" was Central, LA).
import { readFileSync } from 'node:fs';
import type { ResolvedPlace } from './gazetteer.js';

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

/** AWS (us-east-1, ap-southeast-2) and GCP (europe-west1, us-central1) region IDs. */
const OTHER_CLOUD_REGION_RE = /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:gov-)?(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d|(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-(?:north|south|east|west|central|northeast|southeast|southwest)\d)$/i;

/** Why `text` cannot be a server location here when it is another cloud's region ID, else null. */
export function otherCloudRegion(text: string): string | null {
  if (!OTHER_CLOUD_REGION_RE.test(text.trim())) return null;
  return `'${text.trim()}' looks like an AWS or Google Cloud region ID, which keylag has no table of (it knows Azure's regions by name): `
    + 'give the data centre\'s city ("Ashburn, US") or lat,lon';
}
