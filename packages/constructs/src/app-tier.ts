import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { allowAutoScalingToPublishWith } from './private/auto-scaling-notifications.js';
import { acknowledge } from './private/nag.js';
import { validateProps } from './private/validate.js';

/**
 * What a region's monitoring needs of its app tier: the load balancer and target group whose
 * metrics tell whether it serves, and the Auto Scaling group whose desired capacity tells
 * whether it should. An {@link AppTier}, or the same three things of a tier you already have.
 */
export interface IAppTier {
  /** The tier's Application Load Balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The target group the instances register in. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The Auto Scaling group's name. */
  readonly autoScalingGroupName: string;
}

/** Props of {@link AppTier}. */
export interface AppTierProps {
  /** The VPC: the ALB goes in its public subnets (internal: `vpcSubnets`), the instances in `vpcSubnets`. */
  readonly vpc: ec2.IVpc;
  /**
   * The instances' subnets: private, with NAT egress or isolated (`PilotLightNetwork.appSubnets`).
   * Isolated instances reach S3 through the VPC's gateway endpoint and the database inside the VPC;
   * anything else they call needs an interface endpoint.
   * @default - the private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The average CPU utilization (percent) the group's target tracking policy keeps, adding
   * instances up to `capacity.max` and removing them down to the group's minimum.
   * @default 60
   */
  readonly targetCpuUtilizationPercent?: number;
  /** The Auto Scaling group's name, explicit because the DR config names it. */
  readonly autoScalingGroupName: string;
  /**
   * Capacity while this region serves. In the pilot light (`pilotLight: true`) the group starts
   * at 0 with this `max`, and the failover sets `min` and `desired`.
   */
  readonly capacity: { readonly min: number; readonly desired: number; readonly max: number };
  /** True in the DR region: no instances until a failover. @default false */
  readonly pilotLight?: boolean;
  /** The SSM parameter holding the current AMI id, resolved at deploy time (no synth lookup). */
  readonly amiParameterName: string;
  /** Health check path of the app; it must answer 200 only when the database and bucket are reachable. @default '/ref' */
  readonly healthCheckPath?: string;
  /** The instances' type. @default t3.micro */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Whether the ALB has public addresses. Internal, it goes in `vpcSubnets` and its DNS name
   * resolves to private addresses: Global Accelerator still reaches it, but the failover
   * controller and `dr` (outside the VPC) cannot probe its health path directly; set false only
   * when another probe path exists, such as the health record reader in the VPC
   * (`HealthRecordReader.allowHealthChecksOf`, the config's `healthCheckVia`), and never for a
   * region Route 53's checkers must reach.
   * @see https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-caveats.html
   * @default true
   */
  readonly internetFacing?: boolean;
  /** Shell commands run at boot. @default - none */
  readonly userData?: ec2.UserData;
  /**
   * ACM certificate (in this region) for an HTTPS listener on 443 with a TLS 1.2+/1.3 policy.
   * Port 80 then redirects to HTTPS, except the health path, which stays forwarded over HTTP so
   * Global Accelerator's and the other region's controller's probes keep working.
   * @default - HTTP on port 80 only
   */
  readonly certificateArn?: string;
  /**
   * Where the group's launch, terminate and launch/terminate error notifications go. A topic of
   * your own that is encrypted needs a key policy letting the Auto Scaling service-linked role use it.
   * @default - a new topic in this construct, encrypted with its own KMS key, TLS-only publishing
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * The target group's health check, tuned for detection: every 5 s (ELB's shortest), a 4 s
 * timeout (below the interval, as ELB requires), 2 failures to mark a target unhealthy and 2
 * successes to mark it healthy again, so a dead region shows no healthy target in about 10 s
 * instead of a minute. Global Accelerator routes ALB endpoints by exactly this target health (the
 * endpoint group's own health settings do not apply to them), and the failover controller reads
 * it too (`endpoint-health`, the availability alarm's healthy-host count). The group's ELB health
 * check follows it as well, so an instance whose path fails for 10 s (past the 3-minute grace
 * period) is replaced: the health path must fail only when the instance cannot serve.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 * @see https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoint-groups-health-check-options.html
 */
function targetHealthCheck(path: string): elbv2.HealthCheck {
  return {
    path,
    interval: Duration.seconds(5),
    timeout: Duration.seconds(4),
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 2,
  };
}

/** The TLS policy of the HTTPS listener: TLS 1.3 and 1.2 with forward-secret AEAD ciphers only. */
const TLS_POLICY = elbv2.SslPolicy.TLS13_RES;

/**
 * The app tier of one region: an ALB (internet-facing by default, so the other region's
 * controller can probe it; HTTPS on 443 when given a certificate) in front of an Auto Scaling group in the private subnets, launched from a
 * template that resolves
 * the current AMI from SSM at each launch, with IMDSv2, encrypted volumes and an SSM-managed instance
 * profile. The group's desired capacity is never written by a deploy, so a redeploy during a
 * failover does not scale the DR region back to zero.
 */
export class AppTier extends Construct implements IAppTier, ec2.IConnectable {
  /** The Application Load Balancer (internet-facing unless `internetFacing` is false). */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The instances' target group, with the tuned health check. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The Auto Scaling group. */
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The Auto Scaling group's name (a reference to the group, so what uses it waits for it). */
  readonly autoScalingGroupName: string;
  /** The launch template: its image is the SSM parameter `amiParameterName`, which must exist when it is created. */
  readonly launchTemplate: ec2.LaunchTemplate;
  /** The instances' role (Session Manager access; grant it what the app needs). */
  readonly role: iam.Role;
  /** The instances' security group (what the database lets in). */
  readonly connections: ec2.Connections;
  /** Receives the group's launch, terminate and error notifications; subscribe to it. */
  readonly notificationTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: AppTierProps) {
    super(scope, id);
    const path = props.healthCheckPath ?? '/ref';
    const { min, desired, max } = props.capacity;
    const targetCpu = props.targetCpuUtilizationPercent ?? 60;
    validateProps(this, [
      { failed: !path.startsWith('/'), message: `healthCheckPath must start with /; got ${JSON.stringify(path)}` },
      { failed: min > desired || desired > max, message: `capacity must satisfy min <= desired <= max; got ${min} / ${desired} / ${max}` },
      { failed: max < 1, message: `capacity.max must be at least 1 so the region can serve; got ${max}` },
      { failed: targetCpu <= 0 || targetCpu >= 100, message: `targetCpuUtilizationPercent must be between 0 and 100; got ${targetCpu}` },
      {
        failed:
          props.certificateArn !== undefined &&
          !Token.isUnresolved(props.certificateArn) &&
          !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/.test(props.certificateArn),
        message: `certificateArn must be an ACM certificate ARN; got ${JSON.stringify(props.certificateArn)}`,
      },
    ]);

    this.role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    acknowledge(
      this.role,
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]'],
      'AmazonSSMManagedInstanceCore is the AWS-maintained minimum for Session Manager access and patching; the instances have no SSH.',
    );
    const launchTemplate = (this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      // Resolved at each launch, not at deploy: the DR group starts today's image, and the
      // stack deploys before the first image exists.
      machineImage: ec2.MachineImage.resolveSsmParameterAtLaunch(props.amiParameterName),
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      role: this.role,
      requireImdsv2: true,
      userData: props.userData,
      securityGroup: new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
        vpc: props.vpc,
        description: `${props.autoScalingGroupName} instances`,
      }),
      blockDevices: [
        { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) },
      ],
    }));
    this.notificationTopic = props.notificationTopic ?? this.encryptedTopic(props.autoScalingGroupName);
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      autoScalingGroupName: props.autoScalingGroupName,
      launchTemplate,
      minCapacity: props.pilotLight ? 0 : min,
      maxCapacity: max,
      // Never set by a deploy: a redeploy must not undo a failover's scaling.
      desiredCapacity: undefined,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.minutes(3),
      }),
      groupMetrics: [autoscaling.GroupMetrics.all()],
      // Launches, terminations and their failures (a DR scale-up that cannot launch, for one).
      notifications: [{ topic: this.notificationTopic, scalingEvents: autoscaling.ScalingEvents.ALL }],
    });
    this.autoScalingGroupName = this.autoScalingGroup.autoScalingGroupName;
    this.connections = this.autoScalingGroup.connections;
    // Target tracking keeps the group between its minimum and maximum. At 0 instances (the pilot
    // light, or a contained old primary) there is no CPU metric, its alarms have insufficient
    // data, and Auto Scaling takes no action on insufficient data, so the policy never scales a
    // dark group out; a failover sets the minimum, below which it never scales in.
    // https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html
    this.autoScalingGroup.scaleOnCpuUtilization('CpuTarget', { targetUtilizationPercent: targetCpu });

    const { loadBalancer, targetGroup } = this.loadBalancerAndListeners(props, path);
    this.loadBalancer = loadBalancer;
    this.targetGroup = targetGroup;
  }

  /**
   * The load balancer, its access logs and its listeners (HTTP; with a certificate, HTTPS and a
   * redirect that spares the health path), in front of the group's target group.
   */
  private loadBalancerAndListeners(
    props: AppTierProps,
    path: string,
  ): { loadBalancer: elbv2.ApplicationLoadBalancer; targetGroup: elbv2.ApplicationTargetGroup } {
    const albSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: `${props.autoScalingGroupName} load balancer`,
      allowAllOutbound: false,
    });
    // Global Accelerator preserves client IPs, so the ALB sees the whole internet as sources.
    albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP from clients through Global Accelerator');
    if (props.certificateArn)
      albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from clients through Global Accelerator');
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: props.internetFacing ?? true,
      vpcSubnets:
        (props.internetFacing ?? true)
          ? { subnetType: ec2.SubnetType.PUBLIC }
          : (props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }),
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
    });
    acknowledge(
      albSecurityGroup,
      ['AwsSolutions-EC23'],
      'Users reach the ALB through Global Accelerator with client IP preservation, so sources are any address; the failover controller in the other region probes the health path too.',
    );
    // Access logs, kept 90 days (ALB access logs need SSE-S3).
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire', expiration: Duration.days(90) }],
    });
    acknowledge(accessLogs, ['AwsSolutions-S1'], 'This bucket receives the ALB access logs; logging it too would recurse.');
    loadBalancer.logAccessLogs(accessLogs, 'alb');
    const listener = loadBalancer.addListener('Http', { port: 80, open: false });
    const targets = {
      port: 80,
      targets: [this.autoScalingGroup],
      healthCheck: targetHealthCheck(path),
      deregistrationDelay: Duration.seconds(30),
    };
    let targetGroup: elbv2.ApplicationTargetGroup;
    if (props.certificateArn) {
      // The health path stays on HTTP: Global Accelerator and the other region's controller probe it there.
      targetGroup = listener.addTargets('App', {
        ...targets,
        priority: 1,
        conditions: [elbv2.ListenerCondition.pathPatterns([path])],
      });
      listener.addAction('RedirectToHttps', { action: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }) });
      const https = loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
        sslPolicy: TLS_POLICY,
        open: false,
      });
      https.addTargetGroups('App', { targetGroups: [targetGroup] });
    } else {
      targetGroup = listener.addTargets('App', targets);
    }
    return { loadBalancer, targetGroup };
  }

  /** The default notification topic: its own rotated KMS key that Auto Scaling may use, TLS-only publishing. */
  private encryptedTopic(groupName: string): sns.Topic {
    const key = new kms.Key(this, 'NotificationKey', {
      enableKeyRotation: true,
      description: `${groupName} Auto Scaling notifications`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowAutoScalingToPublishWith(key);
    return new sns.Topic(this, 'Notifications', { displayName: `${groupName} scaling`, masterKey: key, enforceSSL: true });
  }
}
