// The create dialog: title, description, type, priority, labels, dependencies (beads it waits for),
// rig (its prefix). One beadCreate: the bead, its labels and its dependencies in one commit.
import { useState } from 'react';
import { useServices } from '../../app-context.tsx';
import type { BeadType } from '../../../preload/types.ts';
import type { RosterRig } from './rigs.ts';

const TYPES: BeadType[] = ['task', 'bug', 'feature', 'epic', 'chore'];

const list = (text: string): string[] => text.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);

export function CreateBeadDialog({ rigs, onClose }: { rigs: RosterRig[]; onClose: () => void }) {
  const { actions } = useServices();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [type, setType] = useState<BeadType>('task');
  const [priority, setPriority] = useState(2);
  const [labels, setLabels] = useState('');
  const [dependsOn, setDependsOn] = useState('');
  const [rig, setRig] = useState(rigs[0]?.name ?? '');
  const [busy, setBusy] = useState(false);
  const submit = async (): Promise<void> => {
    if (!title.trim()) return;
    setBusy(true);
    const prefix = rigs.find((r) => r.name === rig)?.prefix || undefined;
    const bead = await actions.createBeadFull({ title: title.trim(), description, type, priority, labels: list(labels), dependsOn: list(dependsOn), prefix });
    setBusy(false);
    if (bead) onClose();
  };
  return (
    <div className="modal-backdrop" onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
      <form className="modal form" role="dialog" aria-modal="true" aria-label="New bead" data-testid="create-dialog" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <h2>New bead</h2>
        <label>Title <input autoFocus required value={title} onChange={(e) => setTitle(e.target.value)} maxLength={500} data-testid="create-title" /></label>
        <label>Description <textarea rows={5} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="create-description" /></label>
        <div className="row">
          <label>Type <select value={type} onChange={(e) => setType(e.target.value as BeadType)}>{TYPES.map((t) => <option key={t}>{t}</option>)}</select></label>
          <label>Priority <select value={priority} onChange={(e) => setPriority(Number(e.target.value))}>{[0, 1, 2, 3, 4].map((p) => <option key={p} value={p}>P{p}</option>)}</select></label>
          <label>Rig <select value={rig} onChange={(e) => setRig(e.target.value)} data-testid="create-rig">
            <option value="">(town)</option>
            {rigs.map((r) => <option key={r.name} value={r.name}>{r.name}</option>)}
          </select></label>
        </div>
        <label>Labels <input value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="comma separated" /></label>
        <label>Depends on <input value={dependsOn} onChange={(e) => setDependsOn(e.target.value)} placeholder="bead ids it waits for, comma separated" /></label>
        <div className="actions">
          <button type="submit" disabled={busy || !title.trim()} data-testid="create-submit">Create</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
