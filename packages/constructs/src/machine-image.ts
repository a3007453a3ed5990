import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct, DependencyGroup } from 'constructs';
import { contentVersion } from './private/content-version.js';
import { acknowledge } from './private/nag.js';
import { validateProps } from './private/validate.js';

/** Props of {@link MachineImage}. */
export interface MachineImageProps {
  /** Names the pipeline, the image and the repository. */
  readonly app: string;
  /** Regions the image is distributed to: both the primary and the DR region. */
  readonly regions: readonly string[];
  /** The SSM parameter, in every region, that holds the newest image id; the launch templates read it. @default `/dr/<app>/ami` */
  readonly amiParameterName?: string;
  /** Where builds run: a subnet with egress to fetch packages. */
  readonly vpc: ec2.IVpc;
  /**
   * The image the LAMP image is built on (an AMI id, or `ssm:` and a parameter that holds one).
   * @default 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'
   */
  readonly parentImage?: string;
  /** Image Builder schedule; builds also run on demand. @default 'cron(0 3 ? * SUN *)' (weekly, for patches) */
  readonly scheduleExpression?: string;
  /**
   * Replicate the repository to the other regions with ECR registry replication. The setting is
   * one per account and region: turning it on here replaces every replication rule the account
   * already has in this region, so it is opt-in.
   * @default false - the repository stays in this region
   */
  readonly replicateRegistry?: boolean;
  /**
   * Build the first image while the stack deploys (an `AWS::ImageBuilder::Image`, which
   * CloudFormation waits for: about 20 to 40 minutes), so the parameter exists in every region
   * before anything launches from it. Turn off only when the parameter already holds an image in
   * every region (another pipeline writes it).
   * @default true
   */
  readonly buildOnDeploy?: boolean;
}

/** The LAMP build: Apache, PHP and the MySQL client, and the `/ref` health page. */
const LAMP_COMPONENT = `name: lamp
description: Apache, PHP and the /ref health page of the pilot-light reference app
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Packages
        action: ExecuteBash
        inputs:
          commands:
            - dnf install -y httpd php php-mysqlnd php-json awscli
            - systemctl enable httpd
      - name: RdsCertificates
        action: ExecuteBash
        inputs:
          commands:
            - install -d /etc/lamp
            - curl -fsSL https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem -o /etc/lamp/rds-ca.pem
      - name: HealthPage
        action: CreateFile
        inputs:
          - path: /var/www/lamp/ref.php
            content: |
              <?php
              // 200 only when the database and the bucket are both reachable: what Global
              // Accelerator, the ALB and the failover controller judge a region by.
              $env = parse_ini_file('/etc/lamp/env') ?: [];
              // The app user has no password: its password is an IAM token (valid 15 minutes)
              // that lamp-db-token.timer rewrites every 5 (see the app tier's boot commands).
              $token = @file_get_contents('/etc/lamp/db-token');
              $db = mysqli_init();
              // TLS, verified against the RDS CA bundle: the parameter group requires it, and
              // mysqlnd then sends the token as RDS's IAM plugin asks (mysql_clear_password).
              mysqli_ssl_set($db, null, null, '/etc/lamp/rds-ca.pem', null, null);
              $ok = $token !== false && @mysqli_real_connect($db, $env['DB_HOST'] ?? '', $env['DB_USER'] ?? '', trim($token), $env['DB_NAME'] ?? '', 3306, null, MYSQLI_CLIENT_SSL);
              exec('aws s3api head-bucket --bucket ' . escapeshellarg($env['BUCKET'] ?? '') . ' 2>/dev/null', $out, $bucket);
              if ($ok && $bucket === 0) { echo 'ok'; } else { http_response_code(503); echo $ok ? 'bucket unreachable' : 'database unreachable'; }
      - name: HealthRoute
        action: CreateFile
        inputs:
          - path: /etc/httpd/conf.d/ref.conf
            content: |
              # /ref answers itself: a directory would redirect (301), and the health checks accept only 200.
              Alias /ref /var/www/lamp/ref.php
  - name: validate
    steps:
      - name: ApacheInstalled
        action: ExecuteBash
        inputs:
          commands:
            - httpd -v
            - php -l /var/www/lamp/ref.php
            - httpd -t
`;

/**
 * The machine image of the app tier (the original brief's \`ami\` module) and its container
 * repository (the brief's \`ecr\` module): an EC2 Image Builder pipeline that builds the LAMP
 * image, distributes it to both regions and writes its id to SSM in each, so the DR region's
 * launch template always finds the current image; and an ECR repository, replicated to the DR
 * region when `replicateRegistry` is on. The first image is built while the stack deploys
 * (`buildOnDeploy`): make whatever launches from the parameter depend on {@link imageReady}.
 */
export class MachineImage extends Construct {
  readonly pipeline: imagebuilder.CfnImagePipeline;
  readonly repository: ecr.Repository;
  /** The parameter name the launch templates read. */
  readonly amiParameterName: string;
  /** The image built while the stack deploys; undefined when `buildOnDeploy` is false. */
  readonly image?: imagebuilder.CfnImage;
  /**
   * Complete once the parameter holds an image in every region of `regions`: an Auto Scaling
   * group that launches from the parameter in this stack must depend on it (stacks in other
   * regions must deploy after this one).
   */
  readonly imageReady: DependencyGroup;

  constructor(scope: Construct, id: string, props: MachineImageProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.amiParameterName = props.amiParameterName ?? `/dr/${props.app}/ami`;
    validateProps(this, [
      {
        failed: props.regions.length < 2,
        message: `regions must name the primary and the DR region; got ${props.regions.join(', ') || 'none'}`,
      },
      { failed: new Set(props.regions).size !== props.regions.length, message: `regions must not repeat; got ${props.regions.join(', ')}` },
      {
        failed: !Token.isUnresolved(region) && !props.regions.includes(region),
        message: `regions must include this stack's region ${region}, where the image is built`,
      },
      {
        failed: !this.amiParameterName.startsWith('/'),
        message: `amiParameterName must start with /; got ${JSON.stringify(this.amiParameterName)}`,
      },
    ]);

    // Versions follow the content: a component or recipe version is immutable, so new content
    // needs a new version (and CloudFormation replaces the resource with it).
    const componentVersion = contentVersion(LAMP_COMPONENT);
    const component = new imagebuilder.CfnComponent(this, 'Lamp', {
      name: `${props.app}-lamp`,
      platform: 'Linux',
      version: componentVersion,
      data: LAMP_COMPONENT,
    });
    const recipeInputs = {
      parentImage: props.parentImage ?? 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      blockDeviceMappings: [
        { deviceName: '/dev/xvda', ebs: { encrypted: true, volumeSize: 20, volumeType: 'gp3', deleteOnTermination: true } },
      ],
    };
    const recipe = new imagebuilder.CfnImageRecipe(this, 'Recipe', {
      name: `${props.app}-lamp`,
      // The component's version stands for its ARN, which is known only at deploy time.
      version: contentVersion(JSON.stringify({ ...recipeInputs, components: [componentVersion] })),
      components: [{ componentArn: component.attrArn }],
      ...recipeInputs,
    });
    const infrastructure = this.buildInfrastructure(props);
    const distribution = new imagebuilder.CfnDistributionConfiguration(this, 'Distribution', {
      name: `${props.app}-lamp`,
      distributions: props.regions.map((r) => ({
        region: r,
        amiDistributionConfiguration: { Name: `${props.app}-lamp-{{ imagebuilder:buildDate }}`, AmiTags: { 'dr:app': props.app } },
        ssmParameterConfigurations: [{ parameterName: this.amiParameterName, dataType: 'aws:ec2:image' }],
      })),
    });
    this.pipeline = new imagebuilder.CfnImagePipeline(this, 'Pipeline', {
      name: `${props.app}-lamp`,
      imageRecipeArn: recipe.attrArn,
      infrastructureConfigurationArn: infrastructure.attrArn,
      distributionConfigurationArn: distribution.attrArn,
      imageTestsConfiguration: { imageTestsEnabled: true },
      schedule: {
        scheduleExpression: props.scheduleExpression ?? 'cron(0 3 ? * SUN *)',
        pipelineExecutionStartCondition: 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE',
      },
      status: 'ENABLED',
    });
    this.imageReady = new DependencyGroup();
    if (props.buildOnDeploy ?? true) {
      // Image Builder writes the parameter in each region of the distribution ("creates the
      // Parameter if it doesn't already exist. Otherwise, it updates the parameter"), and the
      // image is available only once distribution has finished, so CloudFormation completes this
      // resource after the parameter exists in both regions. Replacing it (new recipe content)
      // builds a new image; deleting the old resource leaves its AMIs in place.
      // https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_SsmParameterConfiguration.html
      // https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_DeleteImage.html
      this.image = new imagebuilder.CfnImage(this, 'FirstImage', {
        imageRecipeArn: recipe.attrArn,
        infrastructureConfigurationArn: infrastructure.attrArn,
        distributionConfigurationArn: distribution.attrArn,
        imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: 60 },
      });
      this.imageReady.add(this.image);
    }

    this.repository = this.containerRepository(props, region);
  }

  /** Where images are built: an instance profile with the build policies, in a private subnet with egress. */
  private buildInfrastructure(props: MachineImageProps): imagebuilder.CfnInfrastructureConfiguration {
    const role = new iam.Role(this, 'BuildRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('EC2InstanceProfileForImageBuilder'),
      ],
    });
    acknowledge(
      role,
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/EC2InstanceProfileForImageBuilder]',
      ],
      'The AWS-maintained policies Image Builder documents for its build instances: Session Manager for the build, and the Image Builder agent.',
    );
    const profile = new iam.InstanceProfile(this, 'BuildProfile', { role });
    const securityGroup = new ec2.SecurityGroup(this, 'BuildSecurityGroup', { vpc: props.vpc, description: `${props.app} image builds` });
    const subnet = props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds[0];

    return new imagebuilder.CfnInfrastructureConfiguration(this, 'Infrastructure', {
      name: `${props.app}-lamp`,
      instanceProfileName: profile.instanceProfileName,
      subnetId: subnet,
      securityGroupIds: [securityGroup.securityGroupId],
      terminateInstanceOnFailure: true,
      instanceMetadataOptions: { httpTokens: 'required' },
    });
  }

  /** The app's ECR repository, and the registry's replication rule to the other regions when asked. */
  private containerRepository(props: MachineImageProps, region: string): ecr.Repository {
    const repository = new ecr.Repository(this, 'Repository', {
      repositoryName: `${props.app}-ecr`,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ description: 'Keep the newest 30 images', maxImageCount: 30 }],
    });
    // Registry replication is one setting per account and region: this replaces any other rule.
    if (props.replicateRegistry) {
      new ecr.CfnReplicationConfiguration(this, 'Replication', {
        replicationConfiguration: {
          rules: [
            {
              destinations: props.regions.filter((r) => r !== region).map((r) => ({ region: r, registryId: Stack.of(this).account })),
              repositoryFilters: [{ filter: repository.repositoryName, filterType: 'PREFIX_MATCH' }],
            },
          ],
        },
      });
    }
    return repository;
  }
}
