// The team's Slack channels and Microsoft Teams channels subscribed to uigate's topic through
// Amazon Q Developer in chat applications (formerly AWS Chatbot), which posts uigate's custom
// notifications (runner/notify/render-chat.ts) there, one thread per pipeline execution. For
// notifications only: the channel's role may do nothing, and its guardrail denies everything —
// without one a channel configuration gets the AWS managed AdministratorAccess as its guardrail
// (GuardrailPolicies, AWS::Chatbot::SlackChannelConfiguration). The Slack workspace or Teams tenant
// must be authorised once in the console first. Chime is set up by webhook in the console: it has
// no CloudFormation resource.
import { CfnMicrosoftTeamsChannelConfiguration, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { Effect, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface SlackChannel {
  /** The workspace's id, from the chat applications console after authorising Slack (T0…). */
  readonly workspaceId: string;
  /** The channel's id: the last part of the channel's link (C0…). */
  readonly channelId: string;
}

export interface TeamsChannel {
  readonly teamId: string;
  /**
   * The channel's id as its link has it, URL-encoded (`19%3A…%40thread.tacv2`, the form
   * TeamsChannelId takes); a decoded one (`19:…@thread.tacv2`) is encoded here.
   */
  readonly channelId: string;
  readonly tenantId: string;
}

export interface ChatChannelsProps {
  readonly slack?: readonly SlackChannel[];
  readonly teams?: readonly TeamsChannel[];
}

export class ChatChannels extends Construct {
  /** Assumed by the chat application for the channels; it has no permissions. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ChatChannelsProps & { topic: ITopic; name: string }) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('chatbot.amazonaws.com'),
      description: 'uigate: chat channels that receive notifications only (no permissions)',
    });
    const guardrail = new ManagedPolicy(this, 'NotificationsOnly', {
      description: 'uigate: chat channels may run nothing in this account',
      statements: [new PolicyStatement({ effect: Effect.DENY, actions: ['*'], resources: ['*'] })],
    });
    (props.slack ?? []).forEach((channel, i) => {
      new SlackChannelConfiguration(this, `Slack${i}`, {
        slackChannelConfigurationName: `${props.name}-slack-${i}`,
        slackWorkspaceId: channel.workspaceId,
        slackChannelId: channel.channelId,
        notificationTopics: [props.topic],
        role: this.role,
        guardrailPolicies: [guardrail],
      });
    });
    (props.teams ?? []).forEach((channel, i) => {
      new CfnMicrosoftTeamsChannelConfiguration(this, `Teams${i}`, {
        configurationName: `${props.name}-teams-${i}`,
        teamId: channel.teamId,
        teamsChannelId: /[:@]/.test(channel.channelId) ? encodeURIComponent(channel.channelId) : channel.channelId,
        teamsTenantId: channel.tenantId,
        iamRoleArn: this.role.roleArn,
        snsTopicArns: [props.topic.topicArn],
        guardrailPolicies: [guardrail.managedPolicyArn],
      });
    });
  }
}
