import {
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type EC2ClientConfig,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { isResourceNotFound } from '@dr/failover-core/errors';
import type { ImageStatus, LaunchTemplateSpec } from '@dr/failover-core/ports';
import { callAws, DEFAULT_CALL_POLICY, type CallPolicy } from '../aws-call.js';
import { ClientCache, type RegionalClients } from '../clients.js';

/** Options of {@link Ec2Catalog}. */
export type Ec2CatalogOptions = RegionalClients<EC2Client, EC2ClientConfig> & { readonly policy?: CallPolicy };

/**
 * EC2 reads of a readiness evaluation: a launch template's default version, an AMI in a region,
 * and an instance type's vCPUs. AMIs and launch templates are regional: the DR region needs
 * its own copy of the image.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html
 */
export class Ec2Catalog {
  private readonly clients: ClientCache<EC2Client, EC2ClientConfig>;
  private readonly policy: CallPolicy;

  constructor(options: Ec2CatalogOptions = {}) {
    this.clients = new ClientCache(options, (c) => new EC2Client(c));
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
  }

  /** The default version of a launch template (`lt-…` is taken as an id, anything else as a name). */
  async launchTemplate(region: string, launchTemplate: string): Promise<LaunchTemplateSpec> {
    const byId = /^lt-[0-9a-f]+$/.test(launchTemplate);
    const out = await callAws(
      {
        region,
        resource: `launch template ${launchTemplate}`,
        notFound: ['InvalidLaunchTemplateName.NotFoundException', 'InvalidLaunchTemplateId.NotFound', 'InvalidLaunchTemplateId.Malformed'],
      },
      (abortSignal) =>
        this.clients.get(region).send(
          new DescribeLaunchTemplateVersionsCommand({
            ...(byId ? { LaunchTemplateId: launchTemplate } : { LaunchTemplateName: launchTemplate }),
            Versions: ['$Default'],
          }),
          { abortSignal },
        ),
      this.policy,
    );
    const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    return { imageId: data?.ImageId, instanceType: data?.InstanceType };
  }

  /** An AMI in a region; EC2 answers an unknown id with `InvalidAMIID.NotFound`, which is `exists: false`. */
  async image(region: string, imageId: string): Promise<ImageStatus> {
    try {
      const out = await callAws(
        { region, resource: `image ${imageId}`, notFound: ['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'] },
        (abortSignal) => this.clients.get(region).send(new DescribeImagesCommand({ ImageIds: [imageId] }), { abortSignal }),
        this.policy,
      );
      const image = out.Images?.find((i) => i.ImageId === imageId);
      return image ? { exists: true, state: image.State } : { exists: false };
    } catch (e) {
      if (isResourceNotFound(e)) return { exists: false };
      throw e;
    }
  }

  /** An instance type's default vCPUs; undefined when the region does not offer the type. */
  async instanceTypeVcpus(region: string, instanceType: string): Promise<number | undefined> {
    try {
      const out = await callAws(
        { region, resource: `instance type ${instanceType}`, notFound: ['InvalidInstanceType'] },
        (abortSignal) =>
          this.clients
            .get(region)
            .send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] }), { abortSignal }),
        this.policy,
      );
      return out.InstanceTypes?.find((t) => t.InstanceType === instanceType)?.VCpuInfo?.DefaultVCpus;
    } catch (e) {
      if (isResourceNotFound(e)) return undefined;
      throw e;
    }
  }
}
