// Draws the app's icons as PNGs with nothing but node:zlib, so they can be regenerated anywhere:
//   npx tsx assets/draw-icons.ts
// icon.png (512×512, electron-builder derives .icns/.ico from it), tray.png (16) and tray@2x.png (32).
// The picture: a town skyline at dusk in front of an amber sun, with lit windows and a tall rig.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

type RGBA = [number, number, number, number];
/** A picture in unit coordinates (0..1, y down): the colour at a point, or null for transparent. */
type Picture = (x: number, y: number) => RGBA | null;

const here = dirname(fileURLToPath(import.meta.url));

// ---- PNG encoding (RGBA, 8 bits per channel, filter 0 on every row) ----
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function encodePng(size: number, pixels: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    raw.set(pixels.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Renders with 4×4 supersampling, so edges are anti-aliased at every size. */
function render(picture: Picture, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = picture((px + (sx + 0.5) / S) / size, (py + (sy + 0.5) / S) / size);
          if (!c) continue;
          const alpha = c[3] / 255;
          r += c[0] * alpha; g += c[1] * alpha; b += c[2] * alpha; a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a); out[i + 1] = Math.round(g / a); out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (S * S)) * 255);
    }
  }
  return out;
}

// ---- shapes ----
const inRect = (x: number, y: number, x0: number, y0: number, x1: number, y1: number): boolean => x >= x0 && x < x1 && y >= y0 && y < y1;
function inRoundedRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  if (!inRect(x, y, x0, y0, x1, y1)) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
const mix = (a: RGBA, b: RGBA, t: number): RGBA => [0, 1, 2, 3].map((i) => a[i] + (b[i] - a[i]) * t) as RGBA;

const AMBER: RGBA = [245, 158, 11, 255];
const AMBER_LIGHT: RGBA = [252, 211, 77, 255];
const NIGHT: RGBA = [11, 18, 32, 255];
const DUSK: RGBA = [30, 41, 59, 255];
const BUILDING: RGBA = [15, 23, 42, 255];

/** The skyline: [left, right, top] of each building, in unit coordinates, ground at 0.80. */
const BUILDINGS: Array<[number, number, number]> = [
  [0.16, 0.3, 0.56],
  [0.28, 0.42, 0.44],
  [0.44, 0.57, 0.3], // the rig: the tallest, with a mast
  [0.59, 0.71, 0.48],
  [0.7, 0.84, 0.6],
];
const GROUND = 0.8;

function inSkyline(x: number, y: number): boolean {
  if (y >= GROUND) return false;
  if (inRect(x, y, 0.497, 0.19, 0.513, 0.3)) return true; // mast
  return BUILDINGS.some(([x0, x1, top]) => inRect(x, y, x0, top, x1, GROUND));
}

function litWindow(x: number, y: number): boolean {
  // A grid of windows; a fixed pattern decides which are lit, so the town looks inhabited.
  for (const [bi, [x0, x1, top]] of BUILDINGS.entries()) {
    if (!inRect(x, y, x0 + 0.025, top + 0.04, x1 - 0.02, GROUND - 0.05)) continue;
    const col = Math.floor((x - x0 - 0.025) / 0.035);
    const row = Math.floor((y - top - 0.04) / 0.05);
    const fx = (x - x0 - 0.025) / 0.035 - col;
    const fy = (y - top - 0.04) / 0.05 - row;
    if (fx > 0.55 || fy > 0.5) return false;
    // Only whole windows: a cell cut by the building's edge stays dark.
    if (x0 + 0.025 + (col + 0.55) * 0.035 > x1 - 0.02 || top + 0.04 + (row + 0.5) * 0.05 > GROUND - 0.05) return false;
    return (col * 7 + row * 3 + bi * 5) % 4 !== 0;
  }
  return false;
}

const appIcon: Picture = (x, y) => {
  if (!inRoundedRect(x, y, 0.04, 0.04, 0.96, 0.96, 0.19)) return null;
  if (inSkyline(x, y)) return litWindow(x, y) ? AMBER_LIGHT : BUILDING;
  if (y >= GROUND) return mix(AMBER, [180, 83, 9, 255], Math.min(1, (y - GROUND) / 0.16)); // the lit street
  const d = Math.hypot(x - 0.5, y - 0.5);
  if (d < 0.27) return mix(AMBER_LIGHT, AMBER, d / 0.27); // the sun
  const glow = Math.max(0, 1 - (d - 0.27) / 0.25) * 0.35;
  return mix(mix(DUSK, NIGHT, y), AMBER, glow);
};

/** The tray glyph: the skyline alone, in amber on transparency, readable at 16 px. */
const trayIcon: Picture = (x, y) => {
  const buildings: Array<[number, number, number]> = [
    [0.0, 0.3, 0.5],
    [0.35, 0.65, 0.06],
    [0.7, 1.0, 0.32],
  ];
  if (y >= 0.94) return null;
  return buildings.some(([x0, x1, top]) => inRect(x, y, x0, top, x1, 0.94)) ? AMBER : null;
};

const outputs: Array<[string, Picture, number]> = [
  ['icon.png', appIcon, 512],
  ['tray.png', trayIcon, 16],
  ['tray@2x.png', trayIcon, 32],
];
for (const [name, picture, size] of outputs) {
  writeFileSync(join(here, name), encodePng(size, render(picture, size)));
  console.log(`wrote assets/${name} (${size}×${size})`);
}
