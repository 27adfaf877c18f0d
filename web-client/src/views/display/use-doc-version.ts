// Re-renders on every change to the shared document (the projector and print pages show
// everything in it, so a deep observer per container would buy nothing).
import { useEffect, useState } from 'preact/hooks';
import type * as Y from 'yjs';

export function useDocVersion(doc: Y.Doc): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    doc.on('update', bump);
    return () => doc.off('update', bump);
  }, [doc]);
  return version;
}
