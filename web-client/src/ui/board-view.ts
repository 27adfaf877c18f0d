// How this device shows the board: as a chat (a stream, newest at the bottom) or as the wall
// of post-its. Remembered per device; a phone starts with the chat.
import { useState } from 'preact/hooks';

export type BoardView = 'chat' | 'wall';

const KEY = 'werkplaats.boardView';

function defaultView(): BoardView {
  const narrow = typeof matchMedia === 'function' && matchMedia('(max-width: 47.99rem)').matches;
  return narrow ? 'chat' : 'wall';
}

export function storedBoardView(): BoardView {
  try {
    const stored = localStorage.getItem(KEY);
    if (stored === 'chat' || stored === 'wall') return stored;
  } catch {
    // No storage (private mode): the default.
  }
  return defaultView();
}

export function useBoardView(): [BoardView, (view: BoardView) => void] {
  const [view, setView] = useState<BoardView>(storedBoardView);
  function choose(next: BoardView) {
    setView(next);
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // Then it holds for this page only.
    }
  }
  return [view, choose];
}
