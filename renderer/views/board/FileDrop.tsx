// Files dropped anywhere on the window (or picked with "Import a file…"): a Markdown file (one bead
// per top-level heading or item), a CSV (a convoy, one bead per row) or a beads JSONL file (the
// ledger's import). A preview first; nothing is written until it is confirmed. Anything else, too
// large, or malformed is refused with a message naming the problem, and nothing is written.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useServices, useTown } from '../../app-context.tsx';
import { checkFile, previewImport, type ImportPreview } from '../../board/file-import.ts';
import { rigsOf } from './rigs.ts';

export const IMPORT_FILE_EVENT = 'gastown:import-file';

const hasFiles = (e: DragEvent): boolean => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');

export function FileDrop() {
  const { actions } = useServices();
  const beadMap = useTown((s) => s.beads.beads);
  const agentMap = useTown((s) => s.agents);
  const rigs = useMemo(() => rigsOf(beadMap, agentMap), [beadMap, agentMap]);
  const [over, setOver] = useState(false);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [rig, setRig] = useState('');
  const [busy, setBusy] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  const take = async (files: FileList | null): Promise<void> => {
    if (!files || !files.length) return;
    if (files.length > 1) { actions.showRefusal(`Drop one file at a time (${files.length} were dropped): nothing was imported`); return; }
    const file = files[0];
    const early = checkFile(file.name, file.size);
    if (early) { actions.showRefusal(early); return; }
    let text: string;
    try { text = await file.text(); } catch (err) { actions.showRefusal(`${file.name} could not be read (${(err as Error).message}): nothing was imported`); return; }
    const r = previewImport(file.name, file.size, text);
    if (!r.ok) { actions.showRefusal(r.error); return; }
    actions.clearError();
    setRig(rigs[0]?.name ?? '');
    setPreview(r.preview);
  };

  // The listeners live as long as the app; they call the latest `take`.
  const takeLatest = useRef(take);
  takeLatest.current = take;
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent): void => { if (hasFiles(e)) { depth++; setOver(true); } };
    const leave = (e: DragEvent): void => { if (hasFiles(e) && --depth <= 0) { depth = 0; setOver(false); } };
    const dragover = (e: DragEvent): void => { if (hasFiles(e)) { e.preventDefault(); e.dataTransfer!.dropEffect = 'copy'; } };
    const drop = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      void takeLatest.current(e.dataTransfer!.files);
    };
    const pick = (): void => picker.current?.click();
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', dragover);
    window.addEventListener('drop', drop);
    window.addEventListener(IMPORT_FILE_EVENT, pick);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', dragover);
      window.removeEventListener('drop', drop);
      window.removeEventListener(IMPORT_FILE_EVENT, pick);
    };
  }, []);

  const confirm = async (): Promise<void> => {
    if (!preview) return;
    setBusy(true);
    const r = rigs.find((x) => x.name === rig);
    const done = await actions.importPreview(preview, { rig: r?.name, prefix: r?.prefix || undefined });
    setBusy(false);
    if (done) setPreview(null);
  };

  return (
    <>
      <input ref={picker} type="file" accept=".md,.markdown,.csv,.jsonl" hidden data-testid="import-picker"
        onChange={(e) => { void take(e.target.files); e.target.value = ''; }} />
      {over && <div className="drop-overlay" data-testid="file-drop-overlay">Drop a Markdown, CSV or beads JSONL file to import it (a preview comes first)</div>}
      {preview && (
        <div className="modal-backdrop" onKeyDown={(e) => { if (e.key === 'Escape') setPreview(null); }}>
          <div className="modal" role="dialog" aria-modal="true" aria-label={`Import ${preview.file}`} data-testid="import-preview" data-kind={preview.kind}>
            <h2>Import {preview.file}</h2>
            <p data-testid="import-summary">
              {preview.kind === 'csv' ? `A convoy "${preview.name}" of ${preview.beads.length} beads (one per row; title from ${preview.titleTemplate})`
                : preview.kind === 'jsonl' ? `${preview.beads.length} beads from a beads JSONL file (one transaction; newer copies in the ledger are kept)`
                : `${preview.beads.length} beads, one per top-level heading or item`}
            </p>
            {preview.kind !== 'jsonl' && (
              <label>Rig <select value={rig} onChange={(e) => setRig(e.target.value)} data-testid="import-rig">
                <option value="">{preview.kind === 'csv' ? '(the town\'s default)' : '(town)'}</option>
                {rigs.map((r) => <option key={r.name} value={r.name}>{r.name}</option>)}
              </select></label>
            )}
            <ol className="preview-list" data-testid="import-rows">
              {preview.beads.slice(0, 200).map((b, i) => <li key={i}>{'id' in b ? <span className="mono">{b.id} </span> : null}{b.title}</li>)}
            </ol>
            {preview.beads.length > 200 && <p className="muted">… and {preview.beads.length - 200} more</p>}
            <div className="actions">
              <button autoFocus disabled={busy} onClick={() => void confirm()} data-testid="import-confirm">Import</button>
              <button onClick={() => setPreview(null)} data-testid="import-cancel">Cancel</button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
