// A QR code drawn as one SVG path, made on this device (qrcode-generator: no network, no
// canvas, crisp at any size, so it reads from the back of the room on a projector).
import qrcode from 'qrcode-generator';
import { useMemo } from 'preact/hooks';

interface Props {
  value: string;
  /** What the code holds, for screen readers (e.g. "QR-code voor de link …"). */
  label: string;
  class?: string;
}

/** The dark modules as an SVG path, one square per module, with a 4-module quiet zone. */
export function qrPath(value: string): { d: string; size: number } {
  const qr = qrcode(0, 'M');
  qr.addData(value, 'Byte');
  qr.make();
  const count = qr.getModuleCount();
  const quiet = 4;
  let d = '';
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.isDark(row, col)) d += `M${col + quiet} ${row + quiet}h1v1h-1z`;
    }
  }
  return { d, size: count + quiet * 2 };
}

export function QrCode({ value, label, class: className }: Props) {
  const { d, size } = useMemo(() => qrPath(value), [value]);
  return (
    <svg
      class={`qr ${className ?? ''}`}
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shape-rendering="crispEdges"
      data-testid="qr"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
