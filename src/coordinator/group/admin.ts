/**
 * Read-only views (DescribeGroups, ListGroups) and DeleteGroups, as pure functions of the state.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { metadataFor } from './state.js';
import { groupTombstones } from './offsets.js';
import type { CoordinatorRecord, CoordinatorState, Group } from './types.js';
import { EMPTY } from './types.js';

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }>;
}

/** Kafka describes an unknown group as Dead with no error; member metadata and assignments only when Stable. */
export function describeGroup(g: Group | undefined, groupId: string): DescribedGroup {
  if (!g) return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
  const stable = g.state === 'Stable';
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    groupState: g.state,
    protocolType: g.protocolType ?? '',
    protocolData: stable ? (g.protocolName ?? '') : '',
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable ? metadataFor(m, g.protocolName) : EMPTY,
      memberAssignment: stable ? m.assignment : EMPTY,
    })),
  };
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

/** Every group known (also those only holding offsets), filtered by state and type (case-insensitive, as Kafka). */
export function listGroups(state: CoordinatorState, statesFilter: readonly string[], typesFilter: readonly string[]): ListedGroup[] {
  const states = new Set(statesFilter.map((s) => s.toLowerCase()));
  const types = new Set(typesFilter.map((s) => s.toLowerCase()));
  const out: ListedGroup[] = [];
  for (const g of state.groups.values()) {
    if (g.state === 'Dead') continue;
    if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
    if (types.size > 0 && !types.has('classic')) continue;
    out.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' });
  }
  return out.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

/** DeleteGroups for one group: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, or the tombstones to write. */
export function deleteGroup(state: CoordinatorState, groupId: string): { errorCode: number; records: CoordinatorRecord[] } {
  const g = state.groups.get(groupId);
  if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, records: [] };
  if (!g || g.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, records: [] };
  if (g.state !== 'Empty') return { errorCode: ErrorCode.NON_EMPTY_GROUP, records: [] };
  return { errorCode: ErrorCode.NONE, records: groupTombstones(groupId, state.offsets.get(groupId)) };
}
