import { geoEqualEarth, geoPath } from 'd3-geo';
import { useMemo } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';
import { alpha2FromNumeric } from '../../lib/countries';
import { countryName, formatNumber } from '../../lib/format';

const WIDTH = 800;
const HEIGHT = 400;
const LOW = [238, 242, 255];
const HIGH = [55, 48, 163];

/** Light to dark indigo by share of the busiest country (square root: small counts stay visible). */
function shade(count: number, max: number): string {
  if (count === 0 || max === 0) return '#e2e8f0';
  const t = Math.sqrt(count / max);
  const channel = (i: number) => Math.round((LOW[i] ?? 0) + ((HIGH[i] ?? 0) - (LOW[i] ?? 0)) * t);
  return `rgb(${channel(0)} ${channel(1)} ${channel(2)})`;
}

/** Scans per country on a world map (d3-geo + world-atlas 1:110m); the table beside it is the accessible view. */
export default function WorldMap({ counts }: { counts: ReadonlyMap<string, number> }) {
  const shapes = useMemo(() => {
    const topology = world as unknown as Topology<{
      countries: GeometryCollection<{ name: string }>;
    }>;
    const countries = feature(topology, topology.objects.countries);
    const projection = geoEqualEarth().fitSize([WIDTH, HEIGHT], countries);
    const path = geoPath(projection);
    // A few disputed areas have no ISO code (and no id): the position is the key.
    return countries.features.map((f, index) => ({
      id: String(index),
      code: alpha2FromNumeric(f.id),
      d: path(f) ?? '',
    }));
  }, []);
  const max = Math.max(0, ...counts.values());
  return (
    <div className="map">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`World map of scans by country, ${counts.size} countries`}
      >
        {shapes.map((s) => {
          const count = s.code ? (counts.get(s.code) ?? 0) : 0;
          return (
            <path key={s.id} d={s.d} fill={shade(count, max)}>
              <title>{`${s.code ? countryName(s.code) : 'Unknown'}: ${formatNumber(count)}`}</title>
            </path>
          );
        })}
      </svg>
    </div>
  );
}
