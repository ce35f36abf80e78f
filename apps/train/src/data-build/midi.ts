/**
 * A minimal Standard MIDI File (format 0) writer. Time is in milliseconds: the file sets 1,000
 * ticks per quarter note and a tempo of one quarter note per second, so one tick is 1 ms.
 */

/** One channel message at an absolute time in milliseconds. */
export interface MidiEvent {
  readonly timeMs: number;
  /** Status byte and data bytes, e.g. `[0x90 | channel, note, velocity]`. */
  readonly bytes: readonly number[];
}

export const noteOn = (
  timeMs: number,
  channel: number,
  note: number,
  velocity: number,
): MidiEvent => ({
  timeMs,
  bytes: [0x90 | channel, note & 0x7f, velocity & 0x7f],
});
export const noteOff = (timeMs: number, channel: number, note: number): MidiEvent => ({
  timeMs,
  bytes: [0x80 | channel, note & 0x7f, 0],
});
export const programChange = (timeMs: number, channel: number, program: number): MidiEvent => ({
  timeMs,
  bytes: [0xc0 | channel, program & 0x7f],
});
export const controlChange = (
  timeMs: number,
  channel: number,
  controller: number,
  value: number,
): MidiEvent => ({
  timeMs,
  bytes: [0xb0 | channel, controller & 0x7f, value & 0x7f],
});
/** CC 120 (all sound off: cuts every voice, release and reverb tail included) and CC 121 (reset controllers). */
export const silenceChannel = (timeMs: number, channel: number): MidiEvent[] => [
  controlChange(timeMs, channel, 120, 0),
  controlChange(timeMs, channel, 121, 0),
];

function varLength(value: number): number[] {
  const out = [value & 0x7f];
  for (let v = value >>> 7; v > 0; v >>>= 7) out.unshift((v & 0x7f) | 0x80);
  return out;
}

/**
 * Encodes events into a format-0 SMF. Events are sorted stably by time, so a note-off written
 * before a note-on at the same instant stays before it.
 */
export function writeMidi(events: readonly MidiEvent[]): Uint8Array {
  const sorted = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.timeMs - b.e.timeMs || a.i - b.i);
  const track: number[] = [0x00, 0xff, 0x51, 0x03, 0x0f, 0x42, 0x40]; // tempo: 1,000,000 µs per quarter
  let now = 0;
  for (const { e } of sorted) {
    const t = Math.max(0, Math.round(e.timeMs));
    track.push(...varLength(t - now), ...e.bytes);
    now = t;
  }
  track.push(0x00, 0xff, 0x2f, 0x00); // end of track
  const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x03, 0xe8]; // MThd, format 0, 1 track, 1000 ticks/quarter
  const length = track.length;
  const chunk = [
    0x4d,
    0x54,
    0x72,
    0x6b,
    (length >>> 24) & 0xff,
    (length >>> 16) & 0xff,
    (length >>> 8) & 0xff,
    length & 0xff,
  ];
  return Uint8Array.from([...header, ...chunk, ...track]);
}
