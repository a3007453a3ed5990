/**
 * The RDS parameter group side of the write fence: reading a group's `read_only`, and setting it
 * (ModifyDBParameterGroup `read_only` = 1, immediate: it is dynamic) or resetting it to
 * `{TrueIfReplica}` (ResetDBParameterGroup). A change reaches every instance using the group.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ResetDBParameterGroup.html
 */
import {
  DescribeDBParametersCommand,
  ModifyDBParameterGroupCommand,
  ResetDBParameterGroupCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { ReadOnlySetting } from '@dr/failover-core/ports';
import { allPages, type CallContext } from '../aws-call.js';
import { GROUP_NOT_FOUND, INVALID_GROUP_STATE, INVALID_REQUEST, readOnlySetting } from './rds-answers.js';

/** One RDS call in a region under the adapter's call policy, as `RdsDatabase` makes it. */
export type RdsSend = <Output>(
  context: CallContext,
  region: string,
  call: (client: RDSClient, options: { abortSignal: AbortSignal }) => Promise<Output>,
) => Promise<Output>;

/** Reads and sets `read_only` in RDS DB parameter groups. */
export class RdsParameterGroups {
  constructor(private readonly send: RdsSend) {}

  /** The `read_only` setting of a parameter group, read through every page of its user-set parameters. */
  async readOnly(region: string, parameterGroup: string): Promise<ReadOnlySetting | undefined> {
    const params = await allPages(async (token) => {
      const out = await this.send({ region, resource: `DB parameter group ${parameterGroup}`, notFound: GROUP_NOT_FOUND }, region, (c, o) =>
        c.send(new DescribeDBParametersCommand({ DBParameterGroupName: parameterGroup, Source: 'user', Marker: token }), o),
      );
      return { items: out.Parameters ?? [], next: out.Marker };
    });
    return readOnlySetting(params.find((p) => p.ParameterName === 'read_only')?.ParameterValue);
  }

  /**
   * Fences (`read_only` 1) or lifts the fence (back to `{TrueIfReplica}`) on `group`; a busy
   * group (`InvalidDBParameterGroupState`) is "not yet".
   */
  async setReadOnly(region: string, group: string, fenced: boolean): Promise<void> {
    const context: CallContext = {
      region: region,
      resource: `DB parameter group ${group}`,
      notFound: GROUP_NOT_FOUND,
      rejected: INVALID_REQUEST,
      notReady: INVALID_GROUP_STATE,
    };
    await this.send(context, region, (c, o) =>
      fenced
        ? c.send(
            new ModifyDBParameterGroupCommand({
              DBParameterGroupName: group,
              Parameters: [{ ParameterName: 'read_only', ParameterValue: '1', ApplyMethod: 'immediate' }],
            }),
            o,
          )
        : c.send(
            new ResetDBParameterGroupCommand({
              DBParameterGroupName: group,
              Parameters: [{ ParameterName: 'read_only', ApplyMethod: 'immediate' }],
            }),
            o,
          ),
    );
  }
}
