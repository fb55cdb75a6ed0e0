#!/usr/bin/env python3
"""Writes melody.wav: the test-call audio bundled with SipScope.

4 seconds, 8000 Hz, mono, 16-bit PCM (64 KB): eight notes of a C major scale up and down
(C5 D5 E5 F5 G5 F5 E5 D5, 0.5 s each, sine waves with 20 ms fades so note changes do not click),
recognisable when a call's audio is listened to in a capture. Deterministic: running it again
gives the same bytes. Usage: python3 make_melody.py [OUTPUT]
"""

import math
import struct
import sys
import wave

RATE = 8000
NOTE_S = 0.5
FADE_S = 0.02
AMPLITUDE = 12000
NOTES_HZ = [523.25, 587.33, 659.26, 698.46, 783.99, 698.46, 659.26, 587.33]


def samples():
    per_note = int(RATE * NOTE_S)
    fade = int(RATE * FADE_S)
    for hz in NOTES_HZ:
        for i in range(per_note):
            gain = min(1.0, i / fade, (per_note - 1 - i) / fade)
            yield int(round(AMPLITUDE * gain * math.sin(2 * math.pi * hz * i / RATE)))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "melody.wav"
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", s) for s in samples()))


if __name__ == "__main__":
    main()
