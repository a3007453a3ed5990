import { createHash } from 'node:crypto';
import { CfnWaitConditionHandle } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MachineImage, PilotLightNetwork } from '../src/index.js';
import { once, stackIn } from './helpers.js';

const image = once(buildImage);

function buildImage(regions: string[] = ['eu-west-1', 'us-east-1'], parentImage?: string, replicateRegistry?: boolean) {
  const stack = stackIn('eu-west-1');
  const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  new MachineImage(stack, 'Image', { app: 'lamp', regions, vpc, parentImage, replicateRegistry });
  return Template.fromStack(stack);
}

describe('MachineImage', () => {
  it('distributes the image to both regions and writes its id to SSM in each', () => {
    image().hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [
        Match.objectLike({
          Region: 'eu-west-1',
          SsmParameterConfigurations: [{ ParameterName: '/dr/lamp/ami', DataType: 'aws:ec2:image' }],
        }),
        Match.objectLike({
          Region: 'us-east-1',
          SsmParameterConfigurations: [{ ParameterName: '/dr/lamp/ami', DataType: 'aws:ec2:image' }],
        }),
      ],
    });
  });

  it('builds the LAMP image with the /ref health page, on encrypted volumes, tested', () => {
    const t = image();

    t.hasResourceProperties('AWS::ImageBuilder::Component', { Data: Match.stringLikeRegexp('Alias /ref /var/www/lamp/ref.php') });
    t.hasResourceProperties('AWS::ImageBuilder::Component', { Data: Match.stringLikeRegexp('MYSQLI_CLIENT_SSL') });
    t.hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })],
    });
    t.hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      ImageTestsConfiguration: { ImageTestsEnabled: true },
      Status: 'ENABLED',
    });
  });

  it("builds the first image as the stack deploys, from the pipeline's recipe, infrastructure and distribution, so the parameter exists before anything launches", () => {
    const stack = stackIn('eu-west-1');
    const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    const built = new MachineImage(stack, 'Image', { app: 'lamp', regions: ['eu-west-1', 'us-east-1'], vpc });
    const launcher = new CfnWaitConditionHandle(stack, 'Launcher');
    launcher.node.addDependency(built.imageReady);
    const t = Template.fromStack(stack);
    const [imageId] = Object.keys(t.findResources('AWS::ImageBuilder::Image'));
    const pipeline = Object.values(t.findResources('AWS::ImageBuilder::ImagePipeline'))[0] as { Properties: Record<string, unknown> };

    t.hasResourceProperties('AWS::ImageBuilder::Image', {
      ImageRecipeArn: pipeline.Properties.ImageRecipeArn,
      InfrastructureConfigurationArn: pipeline.Properties.InfrastructureConfigurationArn,
      DistributionConfigurationArn: pipeline.Properties.DistributionConfigurationArn,
      ImageTestsConfiguration: Match.objectLike({ ImageTestsEnabled: true }),
    });
    expect(imageId).toBeDefined();
    expect(t.toJSON().Resources.Launcher.DependsOn).toEqual([imageId]);
  });

  it('builds nothing at deploy when buildOnDeploy is off (another pipeline writes the parameter)', () => {
    const stack = stackIn('eu-west-1');
    const { vpc } = new PilotLightNetwork(stack, 'Net', { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    const built = new MachineImage(stack, 'Image', { app: 'lamp', regions: ['eu-west-1', 'us-east-1'], vpc, buildOnDeploy: false });

    Template.fromStack(stack).resourceCountIs('AWS::ImageBuilder::Image', 0);
    expect(built.image).toBeUndefined();
  });

  it('has the /ref page connect as the app user with its IAM token over TLS, with no password of its own', () => {
    const [component] = Object.values(image().findResources('AWS::ImageBuilder::Component')) as { Properties: { Data: string } }[];
    const page = component!.Properties.Data;

    expect(page).toContain("$token = @file_get_contents('/etc/lamp/db-token');");
    expect(page).toContain("$env['DB_USER'] ?? '', trim($token),");
    expect(page).not.toContain('DB_PASSWORD');
  });

  it('keeps an ECR repository, and leaves the account-wide registry replication alone by default', () => {
    const t = image();

    t.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'lamp-ecr', ImageScanningConfiguration: { ScanOnPush: true } });
    t.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
  });

  it('replicates the repository to the DR region when replicateRegistry is on', () => {
    const t = image(undefined, undefined, true);

    t.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'lamp-ecr', ImageScanningConfiguration: { ScanOnPush: true } });
    t.hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [
          {
            Destinations: [{ Region: 'us-east-1', RegistryId: '123456789012' }],
            RepositoryFilters: [{ Filter: { Ref: Match.anyValue() }, FilterType: 'PREFIX_MATCH' }],
          },
        ],
      },
    });
  });

  it('needs both regions, including its own', () => {
    expect(() => image(['us-east-1'])).toThrowError(
      /regions must name the primary and the DR region.*\n {2}- regions must include this stack's region eu-west-1/,
    );
  });

  it('versions the component by its content, so changed content deploys as a new version', () => {
    const [component] = Object.values(image().findResources('AWS::ImageBuilder::Component')) as {
      Properties: { Data: string; Version: string };
    }[];
    const patch = Number.parseInt(
      createHash('sha256')
        .update(component?.Properties.Data ?? '')
        .digest('hex')
        .slice(0, 7),
      16,
    );

    expect(component?.Properties.Version).toBe(`1.0.${patch}`);
    expect(component?.Properties.Version).not.toBe('1.0.0');
  });

  it('versions the recipe by its inputs: another parent image is another version', () => {
    const version = (t: Template) =>
      (Object.values(t.findResources('AWS::ImageBuilder::ImageRecipe'))[0] as { Properties: { Version: string } }).Properties.Version;

    expect(version(image())).toMatch(/^1\.0\.\d+$/);
    // Two builds, not one remembered: the version must come from the content alone.
    expect(version(image())).toBe(version(buildImage()));
    expect(version(image(undefined, 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64'))).not.toBe(
      version(image()),
    );
  });
});
