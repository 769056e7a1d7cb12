export const id = 30;
export const ids = [30];
export const modules = {

/***/ 1030:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  AutoScalingClient: () => (/* reexport */ AutoScalingClient),
  paginateDescribeAutoScalingGroups: () => (/* reexport */ paginateDescribeAutoScalingGroups),
  paginateDescribeLaunchConfigurations: () => (/* reexport */ paginateDescribeLaunchConfigurations)
});

// UNUSED EXPORTS: $Command, AcceleratorCountRequest$, AcceleratorManufacturer, AcceleratorName, AcceleratorTotalMemoryMiBRequest$, AcceleratorType, AccountSetting$, ActiveInstanceRefreshNotFoundFault, ActiveInstanceRefreshNotFoundFault$, ActivitiesType$, Activity$, ActivityType$, AdjustmentType$, Alarm$, AlarmSpecification$, AlreadyExistsFault, AlreadyExistsFault$, AttachInstances$, AttachInstancesCommand, AttachInstancesQuery$, AttachLoadBalancerTargetGroups$, AttachLoadBalancerTargetGroupsCommand, AttachLoadBalancerTargetGroupsResultType$, AttachLoadBalancerTargetGroupsType$, AttachLoadBalancers$, AttachLoadBalancersCommand, AttachLoadBalancersResultType$, AttachLoadBalancersType$, AttachTrafficSources$, AttachTrafficSourcesCommand, AttachTrafficSourcesResultType$, AttachTrafficSourcesType$, AutoScaling, AutoScalingGroup$, AutoScalingGroupNamesType$, AutoScalingGroupsType$, AutoScalingInstanceDetails$, AutoScalingInstancesType$, AutoScalingServiceException, AutoScalingServiceException$, AvailabilityZoneDistribution$, AvailabilityZoneImpairmentPolicy$, BareMetal, BaselineEbsBandwidthMbpsRequest$, BaselinePerformanceFactorsRequest$, BatchDeleteScheduledAction$, BatchDeleteScheduledActionAnswer$, BatchDeleteScheduledActionCommand, BatchDeleteScheduledActionType$, BatchPutScheduledUpdateGroupAction$, BatchPutScheduledUpdateGroupActionAnswer$, BatchPutScheduledUpdateGroupActionCommand, BatchPutScheduledUpdateGroupActionType$, BlockDeviceMapping$, BurstablePerformance, CancelInstanceRefresh$, CancelInstanceRefreshAnswer$, CancelInstanceRefreshCommand, CancelInstanceRefreshType$, CapacityDistributionStrategy, CapacityForecast$, CapacityReservationPreference, CapacityReservationSpecification$, CapacityReservationTarget$, CompleteLifecycleAction$, CompleteLifecycleActionAnswer$, CompleteLifecycleActionCommand, CompleteLifecycleActionType$, CpuManufacturer, CpuPerformanceFactorRequest$, CreateAutoScalingGroup$, CreateAutoScalingGroupCommand, CreateAutoScalingGroupType$, CreateLaunchConfiguration$, CreateLaunchConfigurationCommand, CreateLaunchConfigurationType$, CreateOrUpdateTags$, CreateOrUpdateTagsCommand, CreateOrUpdateTagsType$, CustomizedMetricSpecification$, DeleteAutoScalingGroup$, DeleteAutoScalingGroupCommand, DeleteAutoScalingGroupType$, DeleteLaunchConfiguration$, DeleteLaunchConfigurationCommand, DeleteLifecycleHook$, DeleteLifecycleHookAnswer$, DeleteLifecycleHookCommand, DeleteLifecycleHookType$, DeleteNotificationConfiguration$, DeleteNotificationConfigurationCommand, DeleteNotificationConfigurationType$, DeletePolicy$, DeletePolicyCommand, DeletePolicyType$, DeleteScheduledAction$, DeleteScheduledActionCommand, DeleteScheduledActionType$, DeleteTags$, DeleteTagsCommand, DeleteTagsType$, DeleteWarmPool$, DeleteWarmPoolAnswer$, DeleteWarmPoolCommand, DeleteWarmPoolType$, DeletionProtection, DescribeAccountLimits$, DescribeAccountLimitsAnswer$, DescribeAccountLimitsCommand, DescribeAccountSettings$, DescribeAccountSettingsAnswer$, DescribeAccountSettingsCommand, DescribeAccountSettingsType$, DescribeAdjustmentTypes$, DescribeAdjustmentTypesAnswer$, DescribeAdjustmentTypesCommand, DescribeAutoScalingGroups$, DescribeAutoScalingGroupsCommand, DescribeAutoScalingInstances$, DescribeAutoScalingInstancesCommand, DescribeAutoScalingInstancesType$, DescribeAutoScalingNotificationTypes$, DescribeAutoScalingNotificationTypesAnswer$, DescribeAutoScalingNotificationTypesCommand, DescribeInstanceRefreshes$, DescribeInstanceRefreshesAnswer$, DescribeInstanceRefreshesCommand, DescribeInstanceRefreshesType$, DescribeLaunchConfigurations$, DescribeLaunchConfigurationsCommand, DescribeLifecycleHookTypes$, DescribeLifecycleHookTypesAnswer$, DescribeLifecycleHookTypesCommand, DescribeLifecycleHooks$, DescribeLifecycleHooksAnswer$, DescribeLifecycleHooksCommand, DescribeLifecycleHooksType$, DescribeLoadBalancerTargetGroups$, DescribeLoadBalancerTargetGroupsCommand, DescribeLoadBalancerTargetGroupsRequest$, DescribeLoadBalancerTargetGroupsResponse$, DescribeLoadBalancers$, DescribeLoadBalancersCommand, DescribeLoadBalancersRequest$, DescribeLoadBalancersResponse$, DescribeMetricCollectionTypes$, DescribeMetricCollectionTypesAnswer$, DescribeMetricCollectionTypesCommand, DescribeNotificationConfigurations$, DescribeNotificationConfigurationsAnswer$, DescribeNotificationConfigurationsCommand, DescribeNotificationConfigurationsType$, DescribePolicies$, DescribePoliciesCommand, DescribePoliciesType$, DescribeScalingActivities$, DescribeScalingActivitiesCommand, DescribeScalingActivitiesType$, DescribeScalingProcessTypes$, DescribeScalingProcessTypesCommand, DescribeScheduledActions$, DescribeScheduledActionsCommand, DescribeScheduledActionsType$, DescribeTags$, DescribeTagsCommand, DescribeTagsType$, DescribeTerminationPolicyTypes$, DescribeTerminationPolicyTypesAnswer$, DescribeTerminationPolicyTypesCommand, DescribeTrafficSources$, DescribeTrafficSourcesCommand, DescribeTrafficSourcesRequest$, DescribeTrafficSourcesResponse$, DescribeWarmPool$, DescribeWarmPoolAnswer$, DescribeWarmPoolCommand, DescribeWarmPoolType$, DesiredConfiguration$, DetachInstances$, DetachInstancesAnswer$, DetachInstancesCommand, DetachInstancesQuery$, DetachLoadBalancerTargetGroups$, DetachLoadBalancerTargetGroupsCommand, DetachLoadBalancerTargetGroupsResultType$, DetachLoadBalancerTargetGroupsType$, DetachLoadBalancers$, DetachLoadBalancersCommand, DetachLoadBalancersResultType$, DetachLoadBalancersType$, DetachTrafficSources$, DetachTrafficSourcesCommand, DetachTrafficSourcesResultType$, DetachTrafficSourcesType$, DisableMetricsCollection$, DisableMetricsCollectionCommand, DisableMetricsCollectionQuery$, DistributionSegment$, Ebs$, EnableMetricsCollection$, EnableMetricsCollectionCommand, EnableMetricsCollectionQuery$, EnabledMetric$, EnterStandby$, EnterStandbyAnswer$, EnterStandbyCommand, EnterStandbyQuery$, ExecutePolicy$, ExecutePolicyCommand, ExecutePolicyType$, ExitStandby$, ExitStandbyAnswer$, ExitStandbyCommand, ExitStandbyQuery$, FailedScheduledUpdateGroupActionRequest$, Filter$, GetPredictiveScalingForecast$, GetPredictiveScalingForecastAnswer$, GetPredictiveScalingForecastCommand, GetPredictiveScalingForecastType$, IdempotentCallInProgressFault, IdempotentCallInProgressFault$, IdempotentParameterMismatchError, IdempotentParameterMismatchError$, ImpairedZoneHealthCheckBehavior, Instance$, InstanceCollection$, InstanceGeneration, InstanceLifecyclePolicy$, InstanceMaintenancePolicy$, InstanceMetadataEndpointState, InstanceMetadataHttpTokensState, InstanceMetadataOptions$, InstanceMonitoring$, InstanceRefresh$, InstanceRefreshInProgressFault, InstanceRefreshInProgressFault$, InstanceRefreshLivePoolProgress$, InstanceRefreshProgressDetails$, InstanceRefreshStatus, InstanceRefreshWarmPoolProgress$, InstanceRequirements$, InstanceReusePolicy$, InstancesDistribution$, InvalidNextToken, InvalidNextToken$, IrreversibleInstanceRefreshFault, IrreversibleInstanceRefreshFault$, LaunchConfiguration$, LaunchConfigurationNameType$, LaunchConfigurationNamesType$, LaunchConfigurationsType$, LaunchInstances$, LaunchInstancesCommand, LaunchInstancesError$, LaunchInstancesRequest$, LaunchInstancesResult$, LaunchTemplate$, LaunchTemplateOverrides$, LaunchTemplateSpecification$, LifecycleHook$, LifecycleHookSpecification$, LifecycleState, LimitExceededFault, LimitExceededFault$, LoadBalancerState$, LoadBalancerTargetGroupState$, LoadForecast$, LocalStorage, LocalStorageType, MemoryGiBPerVCpuRequest$, MemoryMiBRequest$, Metric$, MetricCollectionType$, MetricDataQuery$, MetricDimension$, MetricGranularityType$, MetricStat$, MetricStatistic, MetricType, MixedInstancesPolicy$, NetworkBandwidthGbpsRequest$, NetworkInterfaceCountRequest$, NotificationConfiguration$, Operator$, PerformanceFactorReferenceRequest$, PoliciesType$, PolicyARNType$, PredefinedLoadMetricType, PredefinedMetricPairType, PredefinedMetricSpecification$, PredefinedScalingMetricType, PredictiveScalingConfiguration$, PredictiveScalingCustomizedCapacityMetric$, PredictiveScalingCustomizedLoadMetric$, PredictiveScalingCustomizedScalingMetric$, PredictiveScalingMaxCapacityBreachBehavior, PredictiveScalingMetricSpecification$, PredictiveScalingMode, PredictiveScalingPredefinedLoadMetric$, PredictiveScalingPredefinedMetricPair$, PredictiveScalingPredefinedScalingMetric$, ProcessType$, ProcessesType$, PutAccountSetting$, PutAccountSettingAnswer$, PutAccountSettingCommand, PutAccountSettingType$, PutLifecycleHook$, PutLifecycleHookAnswer$, PutLifecycleHookCommand, PutLifecycleHookType$, PutNotificationConfiguration$, PutNotificationConfigurationCommand, PutNotificationConfigurationType$, PutScalingPolicy$, PutScalingPolicyCommand, PutScalingPolicyType$, PutScheduledUpdateGroupAction$, PutScheduledUpdateGroupActionCommand, PutScheduledUpdateGroupActionType$, PutWarmPool$, PutWarmPoolAnswer$, PutWarmPoolCommand, PutWarmPoolType$, RecordLifecycleActionHeartbeat$, RecordLifecycleActionHeartbeatAnswer$, RecordLifecycleActionHeartbeatCommand, RecordLifecycleActionHeartbeatType$, RefreshPreferences$, RefreshStrategy, ResourceContentionFault, ResourceContentionFault$, ResourceInUseFault, ResourceInUseFault$, ResumeProcesses$, ResumeProcessesCommand, RetentionAction, RetentionTriggers$, RetryStrategy, RollbackDetails$, RollbackInstanceRefresh$, RollbackInstanceRefreshAnswer$, RollbackInstanceRefreshCommand, RollbackInstanceRefreshType$, ScaleInProtectedInstances, ScalingActivityInProgressFault, ScalingActivityInProgressFault$, ScalingActivityStatusCode, ScalingPolicy$, ScalingProcessQuery$, ScheduledActionsType$, ScheduledUpdateGroupAction$, ScheduledUpdateGroupActionRequest$, ServiceLinkedRoleFailure, ServiceLinkedRoleFailure$, SetDesiredCapacity$, SetDesiredCapacityCommand, SetDesiredCapacityType$, SetInstanceHealth$, SetInstanceHealthCommand, SetInstanceHealthQuery$, SetInstanceProtection$, SetInstanceProtectionAnswer$, SetInstanceProtectionCommand, SetInstanceProtectionQuery$, StandbyInstances, StartInstanceRefresh$, StartInstanceRefreshAnswer$, StartInstanceRefreshCommand, StartInstanceRefreshType$, StepAdjustment$, SuspendProcesses$, SuspendProcessesCommand, SuspendedProcess$, Tag$, TagDescription$, TagsType$, TargetCapacityType, TargetTrackingConfiguration$, TargetTrackingMetricDataQuery$, TargetTrackingMetricStat$, TerminateInstanceInAutoScalingGroup$, TerminateInstanceInAutoScalingGroupCommand, TerminateInstanceInAutoScalingGroupType$, TotalLocalStorageGBRequest$, TrafficSourceIdentifier$, TrafficSourceState$, UpdateAutoScalingGroup$, UpdateAutoScalingGroupCommand, UpdateAutoScalingGroupType$, VCpuCountRequest$, WarmPoolConfiguration$, WarmPoolState, WarmPoolStatus, __Client, errorTypeRegistries, paginateDescribeAutoScalingInstances, paginateDescribeInstanceRefreshes, paginateDescribeLoadBalancerTargetGroups, paginateDescribeLoadBalancers, paginateDescribeNotificationConfigurations, paginateDescribePolicies, paginateDescribeScalingActivities, paginateDescribeScheduledActions, paginateDescribeTags, paginateDescribeTrafficSources, paginateDescribeWarmPool, waitForGroupExists, waitForGroupInService, waitForGroupNotExists, waitUntilGroupExists, waitUntilGroupInService, waitUntilGroupNotExists

// EXTERNAL MODULE: ./node_modules/@aws-sdk/core/dist-cjs/submodules/client/index.js
var client = __webpack_require__(5152);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/index.js
var dist_cjs = __webpack_require__(402);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/client/index.js
var submodules_client = __webpack_require__(2658);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/config/index.js
var submodules_config = __webpack_require__(7291);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/endpoints/index.js
var endpoints = __webpack_require__(2085);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/protocols/index.js
var protocols = __webpack_require__(3422);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/retry/index.js
var retry = __webpack_require__(3609);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/schema/index.js
var schema = __webpack_require__(6890);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/core/dist-cjs/submodules/httpAuthSchemes/index.js
var httpAuthSchemes = __webpack_require__(7523);
;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/auth/httpAuthSchemeProvider.js


const defaultAutoScalingHttpAuthSchemeParametersProvider = async (config, context, input) => {
    return {
        operation: (0,submodules_client.getSmithyContext)(context).operation,
        region: await (0,submodules_client.normalizeProvider)(config.region)() || (() => {
            throw new Error("expected `region` to be configured for `aws.auth#sigv4`");
        })(),
    };
};
function createAwsAuthSigv4HttpAuthOption(authParameters) {
    return {
        schemeId: "aws.auth#sigv4",
        signingProperties: {
            name: "autoscaling",
            region: authParameters.region,
        },
        propertiesExtractor: (config, context) => ({
            signingProperties: {
                config,
                context,
            },
        }),
    };
}
const defaultAutoScalingHttpAuthSchemeProvider = (authParameters) => {
    const options = [];
    switch (authParameters.operation) {
        default: {
            options.push(createAwsAuthSigv4HttpAuthOption(authParameters));
        }
    }
    return options;
};
const resolveHttpAuthSchemeConfig = (config) => {
    const config_0 = (0,httpAuthSchemes.resolveAwsSdkSigV4Config)(config);
    return Object.assign(config_0, {
        authSchemePreference: (0,submodules_client.normalizeProvider)(config.authSchemePreference ?? []),
    });
};

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/endpoint/EndpointParameters.js
const resolveClientEndpointParameters = (options) => {
    return Object.assign(options, {
        useDualstackEndpoint: options.useDualstackEndpoint ?? false,
        useFipsEndpoint: options.useFipsEndpoint ?? false,
        defaultSigningName: "autoscaling",
    });
};
const commonParams = {
    UseFIPS: { type: "builtInParams", name: "useFipsEndpoint" },
    Endpoint: { type: "builtInParams", name: "endpoint" },
    Region: { type: "builtInParams", name: "region" },
    UseDualStack: { type: "builtInParams", name: "useDualstackEndpoint" },
};

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/package.json
const package_namespaceObject = {"rE":"3.1169.0"};
// EXTERNAL MODULE: ./node_modules/@aws-sdk/credential-provider-node/dist-es/defaultProvider.js + 2 modules
var defaultProvider = __webpack_require__(9882);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/serde/index.js
var serde = __webpack_require__(2430);
// EXTERNAL MODULE: ./node_modules/@smithy/node-http-handler/dist-es/node-http-handler.js + 6 modules
var node_http_handler = __webpack_require__(2254);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/core/dist-cjs/submodules/protocols/index.js
var submodules_protocols = __webpack_require__(7288);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/checksum/index.js
var checksum = __webpack_require__(9542);
;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/endpoint/bdd.js

const k = "ref";
const a = -1, b = true, c = "isSet", d = "PartitionResult", e = "booleanEquals", f = "getAttr", g = { [k]: "Endpoint" }, h = { [k]: d }, i = {}, j = [{ [k]: "Region" }];
const _data = {
    conditions: [
        [c, [g]],
        [c, j],
        ["aws.partition", j, d],
        [e, [{ [k]: "UseFIPS" }, b]],
        [e, [{ [k]: "UseDualStack" }, b]],
        [e, [{ fn: f, argv: [h, "supportsDualStack"] }, b]],
        [e, [{ fn: f, argv: [h, "supportsFIPS"] }, b]],
        ["stringEquals", [{ fn: f, argv: [h, "name"] }, "aws-us-gov"]]
    ],
    results: [
        [a],
        [a, "Invalid Configuration: FIPS and custom endpoint are not supported"],
        [a, "Invalid Configuration: Dualstack and custom endpoint are not supported"],
        [g, i],
        ["https://autoscaling-fips.{Region}.{PartitionResult#dualStackDnsSuffix}", i],
        [a, "FIPS and DualStack are enabled, but this partition does not support one or both"],
        ["https://autoscaling.{Region}.amazonaws.com", i],
        ["https://autoscaling-fips.{Region}.{PartitionResult#dnsSuffix}", i],
        [a, "FIPS is enabled but this partition does not support FIPS"],
        ["https://autoscaling.{Region}.{PartitionResult#dualStackDnsSuffix}", i],
        [a, "DualStack is enabled but this partition does not support DualStack"],
        ["https://autoscaling.{Region}.{PartitionResult#dnsSuffix}", i],
        [a, "Invalid Configuration: Missing Region"]
    ]
};
const root = 2;
const r = 100_000_000;
const nodes = new Int32Array([
    -1, 1, -1,
    0, 13, 3,
    1, 4, r + 12,
    2, 5, r + 12,
    3, 8, 6,
    4, 7, r + 11,
    5, r + 9, r + 10,
    4, 11, 9,
    6, 10, r + 8,
    7, r + 6, r + 7,
    5, 12, r + 5,
    6, r + 4, r + 5,
    3, r + 1, 14,
    4, r + 2, r + 3,
]);
const bdd = endpoints.BinaryDecisionDiagram.from(nodes, root, _data.conditions, _data.results);

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/endpoint/endpointResolver.js



const cache = new endpoints.EndpointCache({
    size: 50,
    params: ["Endpoint", "Region", "UseDualStack", "UseFIPS"],
});
const defaultEndpointResolver = (endpointParams, context = {}) => {
    return cache.get(endpointParams, () => (0,endpoints.decideEndpoint)(bdd, {
        endpointParams: endpointParams,
        logger: context.logger,
    }));
};
endpoints.customEndpointFunctions.aws = client.awsEndpointFunctions;

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/models/AutoScalingServiceException.js


class AutoScalingServiceException extends submodules_client.ServiceException {
    static shapeId = "smithy.ts.sdk.synthetic.com.amazonaws.autoscaling#AutoScalingServiceException";
    constructor(options) {
        super(options);
        Object.setPrototypeOf(this, AutoScalingServiceException.prototype);
    }
}

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/models/errors.js

class ActiveInstanceRefreshNotFoundFault extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#ActiveInstanceRefreshNotFoundFault";
    name = "ActiveInstanceRefreshNotFoundFault";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ActiveInstanceRefreshNotFoundFault",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ActiveInstanceRefreshNotFoundFault.prototype);
    }
}
class AlreadyExistsFault extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#AlreadyExistsFault";
    name = "AlreadyExistsFault";
    $fault = "client";
    constructor(opts) {
        super({
            name: "AlreadyExistsFault",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AlreadyExistsFault.prototype);
    }
}
class ResourceContentionFault extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#ResourceContentionFault";
    name = "ResourceContentionFault";
    $fault = "server";
    constructor(opts) {
        super({
            name: "ResourceContentionFault",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceContentionFault.prototype);
    }
}
class ServiceLinkedRoleFailure extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#ServiceLinkedRoleFailure";
    name = "ServiceLinkedRoleFailure";
    $fault = "server";
    constructor(opts) {
        super({
            name: "ServiceLinkedRoleFailure",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, ServiceLinkedRoleFailure.prototype);
    }
}
class InstanceRefreshInProgressFault extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#InstanceRefreshInProgressFault";
    name = "InstanceRefreshInProgressFault";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InstanceRefreshInProgressFault",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InstanceRefreshInProgressFault.prototype);
    }
}
class LimitExceededFault extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#LimitExceededFault";
    name = "LimitExceededFault";
    $fault = "client";
    constructor(opts) {
        super({
            name: "LimitExceededFault",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, LimitExceededFault.prototype);
    }
}
class ResourceInUseFault extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#ResourceInUseFault";
    name = "ResourceInUseFault";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ResourceInUseFault",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceInUseFault.prototype);
    }
}
class ScalingActivityInProgressFault extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#ScalingActivityInProgressFault";
    name = "ScalingActivityInProgressFault";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ScalingActivityInProgressFault",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ScalingActivityInProgressFault.prototype);
    }
}
class InvalidNextToken extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#InvalidNextToken";
    name = "InvalidNextToken";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidNextToken",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidNextToken.prototype);
    }
}
class IdempotentCallInProgressFault extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#IdempotentCallInProgressFault";
    name = "IdempotentCallInProgressFault";
    $fault = "server";
    Message;
    constructor(opts) {
        super({
            name: "IdempotentCallInProgressFault",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, IdempotentCallInProgressFault.prototype);
        this.Message = opts.Message;
    }
}
class IdempotentParameterMismatchError extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#IdempotentParameterMismatchError";
    name = "IdempotentParameterMismatchError";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "IdempotentParameterMismatchError",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, IdempotentParameterMismatchError.prototype);
        this.Message = opts.Message;
    }
}
class IrreversibleInstanceRefreshFault extends AutoScalingServiceException {
    static shapeId = "com.amazonaws.autoscaling#IrreversibleInstanceRefreshFault";
    name = "IrreversibleInstanceRefreshFault";
    $fault = "client";
    constructor(opts) {
        super({
            name: "IrreversibleInstanceRefreshFault",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, IrreversibleInstanceRefreshFault.prototype);
    }
}

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/schemas/schemas_0.js
const _A = "Activities";
const _AARN = "AlarmARN";
const _AC = "AcceleratorCount";
const _ACR = "AcceleratorCountRequest";
const _AEF = "AlreadyExistsFault";
const _AI = "ActivityId";
const _AIQ = "AttachInstancesQuery";
const _AIRNFF = "ActiveInstanceRefreshNotFoundFault";
const _AIT = "AllowedInstanceTypes";
const _AIc = "ActivityIds";
const _AIt = "AttachInstances";
const _ALB = "AttachLoadBalancers";
const _ALBRT = "AttachLoadBalancersResultType";
const _ALBT = "AttachLoadBalancersType";
const _ALBTG = "AttachLoadBalancerTargetGroups";
const _ALBTGRT = "AttachLoadBalancerTargetGroupsResultType";
const _ALBTGT = "AttachLoadBalancerTargetGroupsType";
const _AM = "AcceleratorManufacturers";
const _AN = "AlarmName";
const _ANc = "AcceleratorNames";
const _APIA = "AssociatePublicIpAddress";
const _AR = "AutoRollback";
const _AS = "AccountSetting";
const _ASG = "AutoScalingGroup";
const _ASGARN = "AutoScalingGroupARN";
const _ASGN = "AutoScalingGroupName";
const _ASGNT = "AutoScalingGroupNamesType";
const _ASGNu = "AutoScalingGroupNames";
const _ASGS = "AutoScalingGroupState";
const _ASGT = "AutoScalingGroupsType";
const _ASGu = "AutoScalingGroups";
const _ASI = "AutoScalingInstances";
const _ASID = "AutoScalingInstanceDetails";
const _ASIT = "AutoScalingInstancesType";
const _ASNT = "AutoScalingNotificationTypes";
const _ASc = "AccountSettings";
const _ASl = "AlarmSpecification";
const _AT = "ActivitiesType";
const _ATMMB = "AcceleratorTotalMemoryMiB";
const _ATMMBR = "AcceleratorTotalMemoryMiBRequest";
const _ATS = "AttachTrafficSources";
const _ATSRT = "AttachTrafficSourcesResultType";
const _ATST = "AttachTrafficSourcesType";
const _ATc = "ActivityType";
const _ATcc = "AcceleratorTypes";
const _ATd = "AdjustmentType";
const _ATdj = "AdjustmentTypes";
const _AZ = "AvailabilityZones";
const _AZD = "AvailabilityZoneDistribution";
const _AZI = "AvailabilityZoneIds";
const _AZIP = "AvailabilityZoneImpairmentPolicy";
const _AZIv = "AvailabilityZoneId";
const _AZv = "AvailabilityZone";
const _Ac = "Activity";
const _Al = "Alarm";
const _Ala = "Alarms";
const _BDM = "BlockDeviceMapping";
const _BDMl = "BlockDeviceMappings";
const _BDSA = "BatchDeleteScheduledAction";
const _BDSAA = "BatchDeleteScheduledActionAnswer";
const _BDSAT = "BatchDeleteScheduledActionType";
const _BEBM = "BaselineEbsBandwidthMbps";
const _BEBMR = "BaselineEbsBandwidthMbpsRequest";
const _BM = "BareMetal";
const _BP = "BurstablePerformance";
const _BPF = "BaselinePerformanceFactors";
const _BPFR = "BaselinePerformanceFactorsRequest";
const _BPSUGA = "BatchPutScheduledUpdateGroupAction";
const _BPSUGAA = "BatchPutScheduledUpdateGroupActionAnswer";
const _BPSUGAT = "BatchPutScheduledUpdateGroupActionType";
const _BT = "BreachThreshold";
const _BTa = "BakeTime";
const _C = "Cause";
const _CASG = "CreateAutoScalingGroup";
const _CASGT = "CreateAutoScalingGroupType";
const _CCMS = "CustomizedCapacityMetricSpecification";
const _CD = "CheckpointDelay";
const _CDS = "CapacityDistributionStrategy";
const _CF = "CapacityForecast";
const _CIR = "CancelInstanceRefresh";
const _CIRA = "CancelInstanceRefreshAnswer";
const _CIRT = "CancelInstanceRefreshType";
const _CLA = "CompleteLifecycleAction";
const _CLAA = "CompleteLifecycleActionAnswer";
const _CLAT = "CompleteLifecycleActionType";
const _CLC = "CreateLaunchConfiguration";
const _CLCT = "CreateLaunchConfigurationType";
const _CLMS = "CustomizedLoadMetricSpecification";
const _CLVPCI = "ClassicLinkVPCId";
const _CLVPCSG = "ClassicLinkVPCSecurityGroups";
const _CM = "CpuManufacturers";
const _CMS = "CustomizedMetricSpecification";
const _COUT = "CreateOrUpdateTags";
const _COUTT = "CreateOrUpdateTagsType";
const _CP = "CheckpointPercentages";
const _CPFR = "CpuPerformanceFactorRequest";
const _CR = "CapacityRebalance";
const _CRI = "CapacityReservationIds";
const _CRP = "CapacityReservationPreference";
const _CRRGA = "CapacityReservationResourceGroupArns";
const _CRS = "CapacityReservationSpecification";
const _CRT = "CapacityReservationTarget";
const _CSMS = "CustomizedScalingMetricSpecification";
const _CT = "CreatedTime";
const _CTl = "ClientToken";
const _Co = "Context";
const _Coo = "Cooldown";
const _Cp = "Cpu";
const _D = "Description";
const _DAL = "DescribeAccountLimits";
const _DALA = "DescribeAccountLimitsAnswer";
const _DAS = "DescribeAccountSettings";
const _DASA = "DescribeAccountSettingsAnswer";
const _DASG = "DeleteAutoScalingGroup";
const _DASGT = "DeleteAutoScalingGroupType";
const _DASGe = "DescribeAutoScalingGroups";
const _DASI = "DescribeAutoScalingInstances";
const _DASIT = "DescribeAutoScalingInstancesType";
const _DASNT = "DescribeAutoScalingNotificationTypes";
const _DASNTA = "DescribeAutoScalingNotificationTypesAnswer";
const _DAST = "DescribeAccountSettingsType";
const _DAT = "DescribeAdjustmentTypes";
const _DATA = "DescribeAdjustmentTypesAnswer";
const _DC = "DesiredCapacity";
const _DCT = "DesiredCapacityType";
const _DCe = "DefaultCooldown";
const _DCes = "DesiredConfiguration";
const _DI = "DetachInstances";
const _DIA = "DetachInstancesAnswer";
const _DIQ = "DetachInstancesQuery";
const _DIR = "DescribeInstanceRefreshes";
const _DIRA = "DescribeInstanceRefreshesAnswer";
const _DIRT = "DescribeInstanceRefreshesType";
const _DIW = "DefaultInstanceWarmup";
const _DLB = "DescribeLoadBalancers";
const _DLBR = "DescribeLoadBalancersRequest";
const _DLBRT = "DetachLoadBalancersResultType";
const _DLBRe = "DescribeLoadBalancersResponse";
const _DLBT = "DetachLoadBalancersType";
const _DLBTG = "DescribeLoadBalancerTargetGroups";
const _DLBTGR = "DescribeLoadBalancerTargetGroupsRequest";
const _DLBTGRT = "DetachLoadBalancerTargetGroupsResultType";
const _DLBTGRe = "DescribeLoadBalancerTargetGroupsResponse";
const _DLBTGT = "DetachLoadBalancerTargetGroupsType";
const _DLBTGe = "DetachLoadBalancerTargetGroups";
const _DLBe = "DetachLoadBalancers";
const _DLC = "DeleteLaunchConfiguration";
const _DLCe = "DescribeLaunchConfigurations";
const _DLH = "DeleteLifecycleHook";
const _DLHA = "DeleteLifecycleHookAnswer";
const _DLHAe = "DescribeLifecycleHooksAnswer";
const _DLHT = "DeleteLifecycleHookType";
const _DLHTA = "DescribeLifecycleHookTypesAnswer";
const _DLHTe = "DescribeLifecycleHooksType";
const _DLHTes = "DescribeLifecycleHookTypes";
const _DLHe = "DescribeLifecycleHooks";
const _DMC = "DisableMetricsCollection";
const _DMCQ = "DisableMetricsCollectionQuery";
const _DMCT = "DescribeMetricCollectionTypes";
const _DMCTA = "DescribeMetricCollectionTypesAnswer";
const _DN = "DeviceName";
const _DNC = "DeleteNotificationConfiguration";
const _DNCA = "DescribeNotificationConfigurationsAnswer";
const _DNCT = "DeleteNotificationConfigurationType";
const _DNCTe = "DescribeNotificationConfigurationsType";
const _DNCe = "DescribeNotificationConfigurations";
const _DOT = "DeleteOnTermination";
const _DP = "DeletionProtection";
const _DPT = "DeletePolicyType";
const _DPTe = "DescribePoliciesType";
const _DPe = "DeletePolicy";
const _DPes = "DescribePolicies";
const _DR = "DefaultResult";
const _DS = "DistributionSegment";
const _DSA = "DeleteScheduledAction";
const _DSAT = "DeleteScheduledActionType";
const _DSATe = "DescribeScalingActivitiesType";
const _DSATes = "DescribeScheduledActionsType";
const _DSAe = "DescribeScalingActivities";
const _DSAes = "DescribeScheduledActions";
const _DSI = "DisableScaleIn";
const _DSPT = "DescribeScalingProcessTypes";
const _DSi = "DistributionSegments";
const _DT = "DeleteTags";
const _DTPT = "DescribeTerminationPolicyTypes";
const _DTPTA = "DescribeTerminationPolicyTypesAnswer";
const _DTS = "DescribeTrafficSources";
const _DTSR = "DescribeTrafficSourcesRequest";
const _DTSRT = "DetachTrafficSourcesResultType";
const _DTSRe = "DescribeTrafficSourcesResponse";
const _DTST = "DetachTrafficSourcesType";
const _DTSe = "DetachTrafficSources";
const _DTT = "DeleteTagsType";
const _DTTe = "DescribeTagsType";
const _DTe = "DescribeTags";
const _DV = "DefaultValue";
const _DWP = "DeleteWarmPool";
const _DWPA = "DeleteWarmPoolAnswer";
const _DWPAe = "DescribeWarmPoolAnswer";
const _DWPT = "DeleteWarmPoolType";
const _DWPTe = "DescribeWarmPoolType";
const _DWPe = "DescribeWarmPool";
const _De = "Details";
const _Di = "Dimensions";
const _E = "Ebs";
const _EC = "ErrorCode";
const _ED = "EnforcementDate";
const _EIT = "ExcludedInstanceTypes";
const _EIW = "EstimatedInstanceWarmup";
const _EM = "EnabledMetrics";
const _EMC = "EnableMetricsCollection";
const _EMCQ = "EnableMetricsCollectionQuery";
const _EMn = "EnabledMetric";
const _EMr = "ErrorMessage";
const _EO = "EbsOptimized";
const _EP = "ExecutePolicy";
const _EPT = "ExecutePolicyType";
const _ES = "EnterStandby";
const _ESA = "EnterStandbyAnswer";
const _ESAx = "ExitStandbyAnswer";
const _ESQ = "EnterStandbyQuery";
const _ESQx = "ExitStandbyQuery";
const _ESx = "ExitStandby";
const _ET = "EnforcementType";
const _ETn = "EndTime";
const _EV = "EnforcedValue";
const _En = "Encrypted";
const _Ena = "Enabled";
const _Er = "Errors";
const _Ex = "Expression";
const _F = "Filters";
const _FD = "ForceDelete";
const _FSA = "FailedScheduledActions";
const _FSUGA = "FailedScheduledUpdateGroupActions";
const _FSUGAR = "FailedScheduledUpdateGroupActionRequest";
const _FSUGARa = "FailedScheduledUpdateGroupActionRequests";
const _Fi = "Filter";
const _G = "Granularities";
const _GPSF = "GetPredictiveScalingForecast";
const _GPSFA = "GetPredictiveScalingForecastAnswer";
const _GPSFT = "GetPredictiveScalingForecastType";
const _GT = "GlobalTimeout";
const _Gr = "Granularity";
const _HC = "HonorCooldown";
const _HCGP = "HealthCheckGracePeriod";
const _HCT = "HealthCheckType";
const _HE = "HttpEndpoint";
const _HPRHL = "HttpPutResponseHopLimit";
const _HS = "HealthStatus";
const _HT = "HttpTokens";
const _HTe = "HeartbeatTimeout";
const _I = "Instances";
const _IC = "InstanceCollection";
const _ICIPF = "IdempotentCallInProgressFault";
const _ICn = "InstanceCollections";
const _ID = "InstancesDistribution";
const _IDG = "IncludeDeletedGroups";
const _IF = "InstanceFamily";
const _IG = "InstanceGenerations";
const _II = "InstanceIds";
const _IIP = "IamInstanceProfile";
const _IIRF = "IrreversibleInstanceRefreshFault";
const _IIm = "ImageId";
const _IIn = "IncludeInstances";
const _IIns = "InstanceId";
const _ILP = "InstanceLifecyclePolicy";
const _IM = "InstanceMonitoring";
const _IMO = "InstanceMetadataOptions";
const _IMP = "InstanceMaintenancePolicy";
const _IMR = "IncludeManagedResources";
const _INT = "InvalidNextToken";
const _IPME = "IdempotentParameterMismatchError";
const _IR = "InstanceRefreshes";
const _IRI = "InstanceRefreshId";
const _IRIPF = "InstanceRefreshInProgressFault";
const _IRIn = "InstanceRefreshIds";
const _IRLPP = "InstanceRefreshLivePoolProgress";
const _IRP = "InstanceReusePolicy";
const _IRPD = "InstanceRefreshProgressDetails";
const _IRWPP = "InstanceRefreshWarmPoolProgress";
const _IRn = "InstanceRefresh";
const _IRns = "InstanceRequirements";
const _IT = "InstanceType";
const _ITU = "InstancesToUpdate";
const _ITUOR = "InstancesToUpdateOnRollback";
const _IW = "InstanceWarmup";
const _IZHCB = "ImpairedZoneHealthCheckBehavior";
const _Id = "Id";
const _Ide = "Identifier";
const _In = "Instance";
const _Io = "Iops";
const _K = "Key";
const _KI = "KernelId";
const _KN = "KeyName";
const _L = "Label";
const _LAR = "LifecycleActionResult";
const _LAT = "LifecycleActionToken";
const _LB = "LoadBalancers";
const _LBN = "LoadBalancerNames";
const _LBNo = "LoadBalancerName";
const _LBS = "LoadBalancerState";
const _LBSo = "LoadBalancerStates";
const _LBTG = "LoadBalancerTargetGroups";
const _LBTGARN = "LoadBalancerTargetGroupARN";
const _LBTGS = "LoadBalancerTargetGroupState";
const _LBTGSo = "LoadBalancerTargetGroupStates";
const _LC = "LaunchConfiguration";
const _LCARN = "LaunchConfigurationARN";
const _LCN = "LaunchConfigurationName";
const _LCNT = "LaunchConfigurationNamesType";
const _LCNTa = "LaunchConfigurationNameType";
const _LCNa = "LaunchConfigurationNames";
const _LCT = "LaunchConfigurationsType";
const _LCa = "LaunchConfigurations";
const _LEF = "LimitExceededFault";
const _LF = "LoadForecast";
const _LFo = "LoadForecasts";
const _LH = "LifecycleHooks";
const _LHN = "LifecycleHookName";
const _LHNi = "LifecycleHookNames";
const _LHS = "LifecycleHookSpecification";
const _LHSL = "LifecycleHookSpecificationList";
const _LHSi = "LifecycleHookSpecifications";
const _LHT = "LifecycleHookTypes";
const _LHi = "LifecycleHook";
const _LI = "LaunchInstances";
const _LIE = "LaunchInstancesError";
const _LIEa = "LaunchInstancesErrors";
const _LIR = "LaunchInstancesRequest";
const _LIRa = "LaunchInstancesResult";
const _LPP = "LivePoolProgress";
const _LS = "LifecycleState";
const _LST = "LocalStorageTypes";
const _LSo = "LocalStorage";
const _LT = "LaunchTemplate";
const _LTI = "LaunchTemplateId";
const _LTN = "LaunchTemplateName";
const _LTO = "LaunchTemplateOverrides";
const _LTS = "LaunchTemplateSpecification";
const _LTi = "LifecycleTransition";
const _M = "Message";
const _MAM = "MinAdjustmentMagnitude";
const _MAS = "MinAdjustmentStep";
const _MAT = "MetricAggregationType";
const _MCB = "MaxCapacityBuffer";
const _MCBB = "MaxCapacityBreachBehavior";
const _MCT = "MetricCollectionType";
const _MCTe = "MetricCollectionTypes";
const _MD = "MetricDimension";
const _MDQ = "MetricDataQuery";
const _MDQe = "MetricDataQueries";
const _MDe = "MetricDimensions";
const _MGBPVC = "MemoryGiBPerVCpu";
const _MGBPVCR = "MemoryGiBPerVCpuRequest";
const _MGPC = "MaxGroupPreparedCapacity";
const _MGT = "MetricGranularityType";
const _MGTe = "MetricGranularityTypes";
const _MHP = "MinHealthyPercentage";
const _MHPa = "MaxHealthyPercentage";
const _MIL = "MaxInstanceLifetime";
const _MILB = "MetricIntervalLowerBound";
const _MIP = "MixedInstancesPolicy";
const _MIUB = "MetricIntervalUpperBound";
const _MMB = "MemoryMiB";
const _MMBR = "MemoryMiBRequest";
const _MN = "MetricName";
const _MNOASG = "MaxNumberOfAutoScalingGroups";
const _MNOLC = "MaxNumberOfLaunchConfigurations";
const _MO = "MetadataOptions";
const _MR = "MaxRecords";
const _MS = "MinSize";
const _MSPAPOOODP = "MaxSpotPriceAsPercentageOfOptimalOnDemandPrice";
const _MSa = "MaxSize";
const _MSe = "MetricSpecification";
const _MSet = "MetricStat";
const _MSetr = "MetricSpecifications";
const _MT = "MarketType";
const _MV = "MetricValue";
const _Ma = "Max";
const _Me = "Metrics";
const _Met = "Metric";
const _Mi = "Min";
const _Mo = "Mode";
const _N = "Name";
const _NBG = "NetworkBandwidthGbps";
const _NBGR = "NetworkBandwidthGbpsRequest";
const _NC = "NotificationConfigurations";
const _NCo = "NotificationConfiguration";
const _ND = "NoDevice";
const _NIC = "NetworkInterfaceCount";
const _NICR = "NetworkInterfaceCountRequest";
const _NIPFSI = "NewInstancesProtectedFromScaleIn";
const _NM = "NotificationMetadata";
const _NOASG = "NumberOfAutoScalingGroups";
const _NOLC = "NumberOfLaunchConfigurations";
const _NT = "NextToken";
const _NTARN = "NotificationTargetARN";
const _NTo = "NotificationType";
const _NTot = "NotificationTypes";
const _Na = "Namespace";
const _O = "Operator";
const _ODAS = "OnDemandAllocationStrategy";
const _ODBC = "OnDemandBaseCapacity";
const _ODMPPOLP = "OnDemandMaxPricePercentageOverLowestPrice";
const _ODPABC = "OnDemandPercentageAboveBaseCapacity";
const _Ov = "Overrides";
const _P = "Progress";
const _PAL = "PropagateAtLaunch";
const _PARN = "PolicyARN";
const _PARNT = "PolicyARNType";
const _PAS = "PutAccountSetting";
const _PASA = "PutAccountSettingAnswer";
const _PAST = "PutAccountSettingType";
const _PC = "PredictedCapacity";
const _PCOR = "PercentageCompleteOnRollback";
const _PCe = "PercentageComplete";
const _PD = "ProgressDetails";
const _PDOR = "ProgressDetailsOnRollback";
const _PFRR = "PerformanceFactorReferenceRequest";
const _PFRSR = "PerformanceFactorReferenceSetRequest";
const _PFSI = "ProtectedFromScaleIn";
const _PG = "PlacementGroup";
const _PLH = "PutLifecycleHook";
const _PLHA = "PutLifecycleHookAnswer";
const _PLHT = "PutLifecycleHookType";
const _PLMS = "PredefinedLoadMetricSpecification";
const _PMPS = "PredefinedMetricPairSpecification";
const _PMS = "PredefinedMetricSpecification";
const _PMT = "PredefinedMetricType";
const _PN = "PolicyName";
const _PNC = "PutNotificationConfiguration";
const _PNCT = "PutNotificationConfigurationType";
const _PNo = "PolicyNames";
const _PNr = "ProcessName";
const _PS = "PoolState";
const _PSC = "PredictiveScalingConfiguration";
const _PSCCM = "PredictiveScalingCustomizedCapacityMetric";
const _PSCLM = "PredictiveScalingCustomizedLoadMetric";
const _PSCSM = "PredictiveScalingCustomizedScalingMetric";
const _PSMS = "PredictiveScalingMetricSpecification";
const _PSMSr = "PredefinedScalingMetricSpecification";
const _PSMSre = "PredictiveScalingMetricSpecifications";
const _PSP = "PutScalingPolicy";
const _PSPLM = "PredictiveScalingPredefinedLoadMetric";
const _PSPMP = "PredictiveScalingPredefinedMetricPair";
const _PSPSM = "PredictiveScalingPredefinedScalingMetric";
const _PSPT = "PutScalingPolicyType";
const _PSUGA = "PutScheduledUpdateGroupAction";
const _PSUGAT = "PutScheduledUpdateGroupActionType";
const _PT = "PlacementTenancy";
const _PTo = "PolicyTypes";
const _PTol = "PoliciesType";
const _PToli = "PolicyType";
const _PTr = "ProcessesType";
const _PTro = "ProcessType";
const _PWP = "PutWarmPool";
const _PWPA = "PutWarmPoolAnswer";
const _PWPT = "PutWarmPoolType";
const _Pe = "Period";
const _Pr = "Preferences";
const _Pri = "Principal";
const _Pro = "Processes";
const _R = "References";
const _RARN = "RoleARN";
const _RC = "RequestedCapacity";
const _RCF = "ResourceContentionFault";
const _RD = "RollbackDetails";
const _RDe = "ReturnData";
const _RHS = "RequireHibernateSupport";
const _RI = "RamdiskId";
const _RIR = "RollbackInstanceRefresh";
const _RIRA = "RollbackInstanceRefreshAnswer";
const _RIRT = "RollbackInstanceRefreshType";
const _RIUF = "ResourceInUseFault";
const _RIe = "ResourceId";
const _RL = "ResourceLabel";
const _RLAH = "RecordLifecycleActionHeartbeat";
const _RLAHA = "RecordLifecycleActionHeartbeatAnswer";
const _RLAHT = "RecordLifecycleActionHeartbeatType";
const _ROSI = "ReuseOnScaleIn";
const _RP = "RefreshPreferences";
const _RPe = "ResumeProcesses";
const _RR = "RollbackReason";
const _RS = "RetryStrategy";
const _RST = "RollbackStartTime";
const _RT = "RetentionTriggers";
const _RTe = "ResourceType";
const _Re = "Reference";
const _Rec = "Recurrence";
const _S = "Status";
const _SA = "ScalingAdjustment";
const _SAARN = "ScheduledActionARN";
const _SAIPF = "ScalingActivityInProgressFault";
const _SAN = "ScheduledActionNames";
const _SANc = "ScheduledActionName";
const _SAS = "SpotAllocationStrategy";
const _SAT = "ScheduledActionsType";
const _SAt = "StepAdjustments";
const _SAte = "StepAdjustment";
const _SBT = "SchedulingBufferTime";
const _SC = "StatusCode";
const _SDC = "SetDesiredCapacity";
const _SDCT = "SetDesiredCapacityType";
const _SDDC = "ShouldDecrementDesiredCapacity";
const _SG = "SecurityGroups";
const _SI = "SnapshotId";
const _SIH = "SetInstanceHealth";
const _SIHQ = "SetInstanceHealthQuery";
const _SIP = "SpotInstancePools";
const _SIPA = "SetInstanceProtectionAnswer";
const _SIPI = "ScaleInProtectedInstances";
const _SIPQ = "SetInstanceProtectionQuery";
const _SIPe = "SetInstanceProtection";
const _SIR = "StartInstanceRefresh";
const _SIRA = "StartInstanceRefreshAnswer";
const _SIRT = "StartInstanceRefreshType";
const _SIt = "StandbyInstances";
const _SIu = "SubnetId";
const _SIub = "SubnetIds";
const _SLRARN = "ServiceLinkedRoleARN";
const _SLRF = "ServiceLinkedRoleFailure";
const _SM = "StatusMessage";
const _SMP = "SpotMaxPrice";
const _SMPPOLP = "SpotMaxPricePercentageOverLowestPrice";
const _SMk = "SkipMatching";
const _SP = "SuspendedProcesses";
const _SPQ = "ScalingProcessQuery";
const _SPc = "ScalingPolicies";
const _SPca = "ScalingPolicy";
const _SPcal = "ScalingProcesses";
const _SPp = "SpotPrice";
const _SPu = "SuspendedProcess";
const _SPus = "SuspendProcesses";
const _SR = "StatusReason";
const _SRGP = "ShouldRespectGracePeriod";
const _SRu = "SuspensionReason";
const _ST = "StartTime";
const _SUGA = "ScheduledUpdateGroupActions";
const _SUGAR = "ScheduledUpdateGroupActionRequest";
const _SUGARc = "ScheduledUpdateGroupActionRequests";
const _SUGAc = "ScheduledUpdateGroupAction";
const _SZSV = "SkipZonalShiftValidation";
const _Se = "Settings";
const _St = "Statistic";
const _Sta = "State";
const _Stat = "Stat";
const _Str = "Strategy";
const _T = "Tags";
const _TARN = "TopicARN";
const _TCT = "TargetCapacityTypes";
const _TD = "TagDescription";
const _TDL = "TagDescriptionList";
const _TGARN = "TargetGroupARNs";
const _THA = "TerminateHookAbandon";
const _TIIASG = "TerminateInstanceInAutoScalingGroup";
const _TIIASGT = "TerminateInstanceInAutoScalingGroupType";
const _TLSGB = "TotalLocalStorageGB";
const _TLSGBR = "TotalLocalStorageGBRequest";
const _TP = "TerminationPolicies";
const _TPT = "TerminationPolicyTypes";
const _TS = "TrafficSources";
const _TSI = "TrafficSourceIdentifier";
const _TSS = "TrafficSourceState";
const _TSSr = "TrafficSourceStates";
const _TST = "TrafficSourceType";
const _TSr = "TrafficSource";
const _TT = "TagsType";
const _TTC = "TargetTrackingConfiguration";
const _TTMDQ = "TargetTrackingMetricDataQuery";
const _TTMDQa = "TargetTrackingMetricDataQueries";
const _TTMS = "TargetTrackingMetricStat";
const _TV = "TargetValue";
const _TZ = "TimeZone";
const _Ta = "Tag";
const _Th = "Throughput";
const _Ti = "Timestamps";
const _Tim = "Time";
const _Ty = "Type";
const _U = "Unit";
const _UASG = "UpdateAutoScalingGroup";
const _UASGT = "UpdateAutoScalingGroupType";
const _UD = "UserData";
const _UT = "UpdateTime";
const _V = "Value";
const _VCC = "VCpuCount";
const _VCCR = "VCpuCountRequest";
const _VN = "VirtualName";
const _VPCZI = "VPCZoneIdentifier";
const _VS = "VolumeSize";
const _VT = "VolumeType";
const _Va = "Values";
const _Ve = "Version";
const _WC = "WeightedCapacity";
const _WFTI = "WaitForTransitioningInstances";
const _WPC = "WarmPoolConfiguration";
const _WPP = "WarmPoolProgress";
const _WPS = "WarmPoolSize";
const _ZSE = "ZonalShiftEnabled";
const _aQE = "awsQueryError";
const _c = "client";
const _e = "error";
const _hE = "httpError";
const _i = "item";
const _m = "message";
const _s = "smithy.ts.sdk.synthetic.com.amazonaws.autoscaling";
const _se = "server";
const _xN = "xmlName";
const n0 = "com.amazonaws.autoscaling";



const _s_registry = new schema.TypeRegistry(_s);
var AutoScalingServiceException$ = [-3, _s, "AutoScalingServiceException", 0, [], []];
_s_registry.registerError(AutoScalingServiceException$, AutoScalingServiceException);
const n0_registry = new schema.TypeRegistry(n0);
var ActiveInstanceRefreshNotFoundFault$ = [-3, n0, _AIRNFF,
    { [_aQE]: [`ActiveInstanceRefreshNotFound`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(ActiveInstanceRefreshNotFoundFault$, ActiveInstanceRefreshNotFoundFault);
var AlreadyExistsFault$ = [-3, n0, _AEF,
    { [_aQE]: [`AlreadyExists`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(AlreadyExistsFault$, AlreadyExistsFault);
var IdempotentCallInProgressFault$ = [-3, n0, _ICIPF,
    { [_aQE]: [`IdempotentCallInProgress`, 500], [_e]: _se, [_hE]: 500 },
    [_M],
    [0]
];
n0_registry.registerError(IdempotentCallInProgressFault$, IdempotentCallInProgressFault);
var IdempotentParameterMismatchError$ = [-3, n0, _IPME,
    { [_aQE]: [`IdempotentParameterMismatch`, 400], [_e]: _c, [_hE]: 400 },
    [_M],
    [0]
];
n0_registry.registerError(IdempotentParameterMismatchError$, IdempotentParameterMismatchError);
var InstanceRefreshInProgressFault$ = [-3, n0, _IRIPF,
    { [_aQE]: [`InstanceRefreshInProgress`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(InstanceRefreshInProgressFault$, InstanceRefreshInProgressFault);
var InvalidNextToken$ = [-3, n0, _INT,
    { [_aQE]: [`InvalidNextToken`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(InvalidNextToken$, InvalidNextToken);
var IrreversibleInstanceRefreshFault$ = [-3, n0, _IIRF,
    { [_aQE]: [`IrreversibleInstanceRefresh`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(IrreversibleInstanceRefreshFault$, IrreversibleInstanceRefreshFault);
var LimitExceededFault$ = [-3, n0, _LEF,
    { [_aQE]: [`LimitExceeded`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(LimitExceededFault$, LimitExceededFault);
var ResourceContentionFault$ = [-3, n0, _RCF,
    { [_aQE]: [`ResourceContention`, 500], [_e]: _se, [_hE]: 500 },
    [_m],
    [0]
];
n0_registry.registerError(ResourceContentionFault$, ResourceContentionFault);
var ResourceInUseFault$ = [-3, n0, _RIUF,
    { [_aQE]: [`ResourceInUse`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(ResourceInUseFault$, ResourceInUseFault);
var ScalingActivityInProgressFault$ = [-3, n0, _SAIPF,
    { [_aQE]: [`ScalingActivityInProgress`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(ScalingActivityInProgressFault$, ScalingActivityInProgressFault);
var ServiceLinkedRoleFailure$ = [-3, n0, _SLRF,
    { [_aQE]: [`ServiceLinkedRoleFailure`, 500], [_e]: _se, [_hE]: 500 },
    [_m],
    [0]
];
n0_registry.registerError(ServiceLinkedRoleFailure$, ServiceLinkedRoleFailure);
const errorTypeRegistries = [
    _s_registry,
    n0_registry,
];
var AcceleratorCountRequest$ = [3, n0, _ACR,
    0,
    [_Mi, _Ma],
    [1, 1]
];
var AcceleratorTotalMemoryMiBRequest$ = [3, n0, _ATMMBR,
    0,
    [_Mi, _Ma],
    [1, 1]
];
var AccountSetting$ = [3, n0, _AS,
    0,
    [_N, _V, _ET, _ED, _DV, _EV],
    [0, 0, 0, 4, 0, 0]
];
var ActivitiesType$ = [3, n0, _AT,
    0,
    [_A, _NT],
    [() => Activities, 0], 1
];
var Activity$ = [3, n0, _Ac,
    0,
    [_AI, _ASGN, _C, _ST, _SC, _D, _ETn, _SM, _P, _De, _ASGS, _ASGARN],
    [0, 0, 0, 4, 0, 0, 4, 0, 1, 0, 0, 0], 5
];
var ActivityType$ = [3, n0, _ATc,
    0,
    [_Ac, _A],
    [() => Activity$, () => Activities]
];
var AdjustmentType$ = [3, n0, _ATd,
    0,
    [_ATd],
    [0]
];
var Alarm$ = [3, n0, _Al,
    0,
    [_AN, _AARN],
    [0, 0]
];
var AlarmSpecification$ = [3, n0, _ASl,
    0,
    [_Ala],
    [64 | 0]
];
var AttachInstancesQuery$ = [3, n0, _AIQ,
    0,
    [_ASGN, _II],
    [0, 64 | 0], 1
];
var AttachLoadBalancersResultType$ = [3, n0, _ALBRT,
    0,
    [],
    []
];
var AttachLoadBalancersType$ = [3, n0, _ALBT,
    0,
    [_ASGN, _LBN],
    [0, 64 | 0], 2
];
var AttachLoadBalancerTargetGroupsResultType$ = [3, n0, _ALBTGRT,
    0,
    [],
    []
];
var AttachLoadBalancerTargetGroupsType$ = [3, n0, _ALBTGT,
    0,
    [_ASGN, _TGARN],
    [0, 64 | 0], 2
];
var AttachTrafficSourcesResultType$ = [3, n0, _ATSRT,
    0,
    [],
    []
];
var AttachTrafficSourcesType$ = [3, n0, _ATST,
    0,
    [_ASGN, _TS, _SZSV],
    [0, () => TrafficSources, 2], 2
];
var AutoScalingGroup$ = [3, n0, _ASG,
    0,
    [_ASGN, _MS, _MSa, _DC, _DCe, _AZ, _HCT, _CT, _ASGARN, _LCN, _LT, _MIP, _PC, _AZI, _LBN, _TGARN, _HCGP, _I, _SP, _PG, _VPCZI, _EM, _S, _T, _TP, _NIPFSI, _SLRARN, _MIL, _CR, _WPC, _WPS, _Co, _DCT, _DIW, _TS, _IMP, _DP, _AZD, _AZIP, _CRS, _ILP, _O],
    [0, 1, 1, 1, 1, 64 | 0, 0, 4, 0, 0, () => LaunchTemplateSpecification$, [() => MixedInstancesPolicy$, 0], 1, 64 | 0, 64 | 0, 64 | 0, 1, () => Instances, () => SuspendedProcesses, 0, 0, () => EnabledMetrics, 0, () => TagDescriptionList, 64 | 0, 2, 0, 1, 2, () => WarmPoolConfiguration$, 1, 0, 0, 1, () => TrafficSources, () => InstanceMaintenancePolicy$, 0, () => AvailabilityZoneDistribution$, () => AvailabilityZoneImpairmentPolicy$, () => CapacityReservationSpecification$, () => InstanceLifecyclePolicy$, () => Operator$], 8
];
var AutoScalingGroupNamesType$ = [3, n0, _ASGNT,
    0,
    [_ASGNu, _IIn, _IMR, _NT, _MR, _F],
    [64 | 0, 2, 2, 0, 1, () => Filters]
];
var AutoScalingGroupsType$ = [3, n0, _ASGT,
    0,
    [_ASGu, _NT],
    [[() => AutoScalingGroups, 0], 0], 1
];
var AutoScalingInstanceDetails$ = [3, n0, _ASID,
    0,
    [_IIns, _ASGN, _AZv, _LS, _HS, _PFSI, _IT, _AZIv, _LCN, _LT, _IIm, _WC],
    [0, 0, 0, 0, 0, 2, 0, 0, 0, () => LaunchTemplateSpecification$, 0, 0], 6
];
var AutoScalingInstancesType$ = [3, n0, _ASIT,
    0,
    [_ASI, _NT],
    [() => AutoScalingInstances, 0]
];
var AvailabilityZoneDistribution$ = [3, n0, _AZD,
    0,
    [_CDS],
    [0]
];
var AvailabilityZoneImpairmentPolicy$ = [3, n0, _AZIP,
    0,
    [_ZSE, _IZHCB],
    [2, 0]
];
var BaselineEbsBandwidthMbpsRequest$ = [3, n0, _BEBMR,
    0,
    [_Mi, _Ma],
    [1, 1]
];
var BaselinePerformanceFactorsRequest$ = [3, n0, _BPFR,
    0,
    [_Cp],
    [[() => CpuPerformanceFactorRequest$, 0]]
];
var BatchDeleteScheduledActionAnswer$ = [3, n0, _BDSAA,
    0,
    [_FSA],
    [() => FailedScheduledUpdateGroupActionRequests]
];
var BatchDeleteScheduledActionType$ = [3, n0, _BDSAT,
    0,
    [_ASGN, _SAN],
    [0, 64 | 0], 2
];
var BatchPutScheduledUpdateGroupActionAnswer$ = [3, n0, _BPSUGAA,
    0,
    [_FSUGA],
    [() => FailedScheduledUpdateGroupActionRequests]
];
var BatchPutScheduledUpdateGroupActionType$ = [3, n0, _BPSUGAT,
    0,
    [_ASGN, _SUGA],
    [0, () => ScheduledUpdateGroupActionRequests], 2
];
var BlockDeviceMapping$ = [3, n0, _BDM,
    0,
    [_DN, _VN, _E, _ND],
    [0, 0, () => Ebs$, 2], 1
];
var CancelInstanceRefreshAnswer$ = [3, n0, _CIRA,
    0,
    [_IRI],
    [0]
];
var CancelInstanceRefreshType$ = [3, n0, _CIRT,
    0,
    [_ASGN, _WFTI],
    [0, 2], 1
];
var CapacityForecast$ = [3, n0, _CF,
    0,
    [_Ti, _Va],
    [64 | 4, 64 | 1], 2
];
var CapacityReservationSpecification$ = [3, n0, _CRS,
    0,
    [_CRP, _CRT],
    [0, () => CapacityReservationTarget$]
];
var CapacityReservationTarget$ = [3, n0, _CRT,
    0,
    [_CRI, _CRRGA],
    [64 | 0, 64 | 0]
];
var CompleteLifecycleActionAnswer$ = [3, n0, _CLAA,
    0,
    [],
    []
];
var CompleteLifecycleActionType$ = [3, n0, _CLAT,
    0,
    [_LHN, _ASGN, _LAR, _LAT, _IIns],
    [0, 0, 0, 0, 0], 3
];
var CpuPerformanceFactorRequest$ = [3, n0, _CPFR,
    0,
    [_R],
    [[() => PerformanceFactorReferenceSetRequest, { [_xN]: _Re }]]
];
var CreateAutoScalingGroupType$ = [3, n0, _CASGT,
    0,
    [_ASGN, _MS, _MSa, _LCN, _LT, _MIP, _IIns, _DC, _DCe, _AZ, _AZI, _LBN, _TGARN, _HCT, _HCGP, _PG, _VPCZI, _TP, _NIPFSI, _CR, _LHSL, _DP, _T, _SLRARN, _MIL, _Co, _DCT, _DIW, _TS, _IMP, _AZD, _AZIP, _SZSV, _CRS, _ILP, _O],
    [0, 1, 1, 0, () => LaunchTemplateSpecification$, [() => MixedInstancesPolicy$, 0], 0, 1, 1, 64 | 0, 64 | 0, 64 | 0, 64 | 0, 0, 1, 0, 0, 64 | 0, 2, 2, () => LifecycleHookSpecifications, 0, () => Tags, 0, 1, 0, 0, 1, () => TrafficSources, () => InstanceMaintenancePolicy$, () => AvailabilityZoneDistribution$, () => AvailabilityZoneImpairmentPolicy$, 2, () => CapacityReservationSpecification$, () => InstanceLifecyclePolicy$, () => Operator$], 3
];
var CreateLaunchConfigurationType$ = [3, n0, _CLCT,
    0,
    [_LCN, _IIm, _KN, _SG, _CLVPCI, _CLVPCSG, _UD, _IIns, _IT, _KI, _RI, _BDMl, _IM, _SPp, _IIP, _EO, _APIA, _PT, _MO],
    [0, 0, 0, 64 | 0, 0, 64 | 0, 0, 0, 0, 0, 0, () => BlockDeviceMappings, () => InstanceMonitoring$, 0, 0, 2, 2, 0, () => InstanceMetadataOptions$], 1
];
var CreateOrUpdateTagsType$ = [3, n0, _COUTT,
    0,
    [_T],
    [() => Tags], 1
];
var CustomizedMetricSpecification$ = [3, n0, _CMS,
    0,
    [_MN, _Na, _Di, _St, _U, _Pe, _Me],
    [0, 0, () => MetricDimensions, 0, 0, 1, () => TargetTrackingMetricDataQueries]
];
var DeleteAutoScalingGroupType$ = [3, n0, _DASGT,
    0,
    [_ASGN, _FD],
    [0, 2], 1
];
var DeleteLifecycleHookAnswer$ = [3, n0, _DLHA,
    0,
    [],
    []
];
var DeleteLifecycleHookType$ = [3, n0, _DLHT,
    0,
    [_LHN, _ASGN],
    [0, 0], 2
];
var DeleteNotificationConfigurationType$ = [3, n0, _DNCT,
    0,
    [_ASGN, _TARN],
    [0, 0], 2
];
var DeletePolicyType$ = [3, n0, _DPT,
    0,
    [_PN, _ASGN],
    [0, 0], 1
];
var DeleteScheduledActionType$ = [3, n0, _DSAT,
    0,
    [_ASGN, _SANc],
    [0, 0], 2
];
var DeleteTagsType$ = [3, n0, _DTT,
    0,
    [_T],
    [() => Tags], 1
];
var DeleteWarmPoolAnswer$ = [3, n0, _DWPA,
    0,
    [],
    []
];
var DeleteWarmPoolType$ = [3, n0, _DWPT,
    0,
    [_ASGN, _FD],
    [0, 2], 1
];
var DescribeAccountLimitsAnswer$ = [3, n0, _DALA,
    0,
    [_MNOASG, _MNOLC, _NOASG, _NOLC],
    [1, 1, 1, 1]
];
var DescribeAccountSettingsAnswer$ = [3, n0, _DASA,
    0,
    [_Se, _NT],
    [() => AccountSettings, 0]
];
var DescribeAccountSettingsType$ = [3, n0, _DAST,
    0,
    [_N, _NT, _MR],
    [0, 0, 1]
];
var DescribeAdjustmentTypesAnswer$ = [3, n0, _DATA,
    0,
    [_ATdj],
    [() => AdjustmentTypes]
];
var DescribeAutoScalingInstancesType$ = [3, n0, _DASIT,
    0,
    [_II, _IMR, _MR, _NT],
    [64 | 0, 2, 1, 0]
];
var DescribeAutoScalingNotificationTypesAnswer$ = [3, n0, _DASNTA,
    0,
    [_ASNT],
    [64 | 0]
];
var DescribeInstanceRefreshesAnswer$ = [3, n0, _DIRA,
    0,
    [_IR, _NT],
    [[() => InstanceRefreshes, 0], 0]
];
var DescribeInstanceRefreshesType$ = [3, n0, _DIRT,
    0,
    [_ASGN, _IRIn, _NT, _MR],
    [0, 64 | 0, 0, 1], 1
];
var DescribeLifecycleHooksAnswer$ = [3, n0, _DLHAe,
    0,
    [_LH],
    [() => LifecycleHooks]
];
var DescribeLifecycleHooksType$ = [3, n0, _DLHTe,
    0,
    [_ASGN, _LHNi],
    [0, 64 | 0], 1
];
var DescribeLifecycleHookTypesAnswer$ = [3, n0, _DLHTA,
    0,
    [_LHT],
    [64 | 0]
];
var DescribeLoadBalancersRequest$ = [3, n0, _DLBR,
    0,
    [_ASGN, _NT, _MR],
    [0, 0, 1], 1
];
var DescribeLoadBalancersResponse$ = [3, n0, _DLBRe,
    0,
    [_LB, _NT],
    [() => LoadBalancerStates, 0]
];
var DescribeLoadBalancerTargetGroupsRequest$ = [3, n0, _DLBTGR,
    0,
    [_ASGN, _NT, _MR],
    [0, 0, 1], 1
];
var DescribeLoadBalancerTargetGroupsResponse$ = [3, n0, _DLBTGRe,
    0,
    [_LBTG, _NT],
    [() => LoadBalancerTargetGroupStates, 0]
];
var DescribeMetricCollectionTypesAnswer$ = [3, n0, _DMCTA,
    0,
    [_Me, _G],
    [() => MetricCollectionTypes, () => MetricGranularityTypes]
];
var DescribeNotificationConfigurationsAnswer$ = [3, n0, _DNCA,
    0,
    [_NC, _NT],
    [() => NotificationConfigurations, 0], 1
];
var DescribeNotificationConfigurationsType$ = [3, n0, _DNCTe,
    0,
    [_ASGNu, _IMR, _NT, _MR],
    [64 | 0, 2, 0, 1]
];
var DescribePoliciesType$ = [3, n0, _DPTe,
    0,
    [_ASGN, _PNo, _PTo, _IMR, _NT, _MR],
    [0, 64 | 0, 64 | 0, 2, 0, 1]
];
var DescribeScalingActivitiesType$ = [3, n0, _DSATe,
    0,
    [_AIc, _ASGN, _IDG, _IMR, _MR, _NT, _F],
    [64 | 0, 0, 2, 2, 1, 0, () => Filters]
];
var DescribeScheduledActionsType$ = [3, n0, _DSATes,
    0,
    [_ASGN, _SAN, _ST, _ETn, _IMR, _NT, _MR],
    [0, 64 | 0, 4, 4, 2, 0, 1]
];
var DescribeTagsType$ = [3, n0, _DTTe,
    0,
    [_F, _IMR, _NT, _MR],
    [() => Filters, 2, 0, 1]
];
var DescribeTerminationPolicyTypesAnswer$ = [3, n0, _DTPTA,
    0,
    [_TPT],
    [64 | 0]
];
var DescribeTrafficSourcesRequest$ = [3, n0, _DTSR,
    0,
    [_ASGN, _TST, _NT, _MR],
    [0, 0, 0, 1], 1
];
var DescribeTrafficSourcesResponse$ = [3, n0, _DTSRe,
    0,
    [_TS, _NT],
    [() => TrafficSourceStates, 0]
];
var DescribeWarmPoolAnswer$ = [3, n0, _DWPAe,
    0,
    [_WPC, _I, _NT],
    [() => WarmPoolConfiguration$, () => Instances, 0]
];
var DescribeWarmPoolType$ = [3, n0, _DWPTe,
    0,
    [_ASGN, _MR, _NT],
    [0, 1, 0], 1
];
var DesiredConfiguration$ = [3, n0, _DCes,
    0,
    [_LT, _MIP],
    [() => LaunchTemplateSpecification$, [() => MixedInstancesPolicy$, 0]]
];
var DetachInstancesAnswer$ = [3, n0, _DIA,
    0,
    [_A],
    [() => Activities]
];
var DetachInstancesQuery$ = [3, n0, _DIQ,
    0,
    [_ASGN, _SDDC, _II],
    [0, 2, 64 | 0], 2
];
var DetachLoadBalancersResultType$ = [3, n0, _DLBRT,
    0,
    [],
    []
];
var DetachLoadBalancersType$ = [3, n0, _DLBT,
    0,
    [_ASGN, _LBN],
    [0, 64 | 0], 2
];
var DetachLoadBalancerTargetGroupsResultType$ = [3, n0, _DLBTGRT,
    0,
    [],
    []
];
var DetachLoadBalancerTargetGroupsType$ = [3, n0, _DLBTGT,
    0,
    [_ASGN, _TGARN],
    [0, 64 | 0], 2
];
var DetachTrafficSourcesResultType$ = [3, n0, _DTSRT,
    0,
    [],
    []
];
var DetachTrafficSourcesType$ = [3, n0, _DTST,
    0,
    [_ASGN, _TS],
    [0, () => TrafficSources], 2
];
var DisableMetricsCollectionQuery$ = [3, n0, _DMCQ,
    0,
    [_ASGN, _Me],
    [0, 64 | 0], 1
];
var DistributionSegment$ = [3, n0, _DS,
    0,
    [_TCT],
    [64 | 0]
];
var Ebs$ = [3, n0, _E,
    0,
    [_SI, _VS, _VT, _DOT, _Io, _En, _Th],
    [0, 1, 0, 2, 1, 2, 1]
];
var EnabledMetric$ = [3, n0, _EMn,
    0,
    [_Met, _Gr],
    [0, 0]
];
var EnableMetricsCollectionQuery$ = [3, n0, _EMCQ,
    0,
    [_ASGN, _Gr, _Me],
    [0, 0, 64 | 0], 2
];
var EnterStandbyAnswer$ = [3, n0, _ESA,
    0,
    [_A],
    [() => Activities]
];
var EnterStandbyQuery$ = [3, n0, _ESQ,
    0,
    [_ASGN, _SDDC, _II],
    [0, 2, 64 | 0], 2
];
var ExecutePolicyType$ = [3, n0, _EPT,
    0,
    [_PN, _ASGN, _HC, _MV, _BT],
    [0, 0, 2, 1, 1], 1
];
var ExitStandbyAnswer$ = [3, n0, _ESAx,
    0,
    [_A],
    [() => Activities]
];
var ExitStandbyQuery$ = [3, n0, _ESQx,
    0,
    [_ASGN, _II],
    [0, 64 | 0], 1
];
var FailedScheduledUpdateGroupActionRequest$ = [3, n0, _FSUGAR,
    0,
    [_SANc, _EC, _EMr],
    [0, 0, 0], 1
];
var Filter$ = [3, n0, _Fi,
    0,
    [_N, _Va],
    [0, 64 | 0]
];
var GetPredictiveScalingForecastAnswer$ = [3, n0, _GPSFA,
    0,
    [_LF, _CF, _UT],
    [() => LoadForecasts, () => CapacityForecast$, 4], 3
];
var GetPredictiveScalingForecastType$ = [3, n0, _GPSFT,
    0,
    [_ASGN, _PN, _ST, _ETn],
    [0, 0, 4, 4], 4
];
var Instance$ = [3, n0, _In,
    0,
    [_IIns, _AZv, _LS, _HS, _PFSI, _IT, _AZIv, _LCN, _LT, _IIm, _WC],
    [0, 0, 0, 0, 2, 0, 0, 0, () => LaunchTemplateSpecification$, 0, 0], 5
];
var InstanceCollection$ = [3, n0, _IC,
    0,
    [_IT, _MT, _SIu, _AZv, _AZIv, _II],
    [0, 0, 0, 0, 0, 64 | 0]
];
var InstanceLifecyclePolicy$ = [3, n0, _ILP,
    0,
    [_RT],
    [() => RetentionTriggers$]
];
var InstanceMaintenancePolicy$ = [3, n0, _IMP,
    0,
    [_MHP, _MHPa],
    [1, 1]
];
var InstanceMetadataOptions$ = [3, n0, _IMO,
    0,
    [_HT, _HPRHL, _HE],
    [0, 1, 0]
];
var InstanceMonitoring$ = [3, n0, _IM,
    0,
    [_Ena],
    [2]
];
var InstanceRefresh$ = [3, n0, _IRn,
    0,
    [_IRI, _ASGN, _S, _SR, _ST, _ETn, _PCe, _ITU, _PD, _Pr, _DCes, _RD, _Str],
    [0, 0, 0, 0, 4, 4, 1, 1, () => InstanceRefreshProgressDetails$, () => RefreshPreferences$, [() => DesiredConfiguration$, 0], () => RollbackDetails$, 0]
];
var InstanceRefreshLivePoolProgress$ = [3, n0, _IRLPP,
    0,
    [_PCe, _ITU],
    [1, 1]
];
var InstanceRefreshProgressDetails$ = [3, n0, _IRPD,
    0,
    [_LPP, _WPP],
    [() => InstanceRefreshLivePoolProgress$, () => InstanceRefreshWarmPoolProgress$]
];
var InstanceRefreshWarmPoolProgress$ = [3, n0, _IRWPP,
    0,
    [_PCe, _ITU],
    [1, 1]
];
var InstanceRequirements$ = [3, n0, _IRns,
    0,
    [_VCC, _MMB, _CM, _MGBPVC, _EIT, _IG, _SMPPOLP, _MSPAPOOODP, _ODMPPOLP, _BM, _BP, _RHS, _NIC, _LSo, _LST, _TLSGB, _BEBM, _ATcc, _AC, _AM, _ANc, _ATMMB, _NBG, _AIT, _BPF],
    [() => VCpuCountRequest$, () => MemoryMiBRequest$, 64 | 0, () => MemoryGiBPerVCpuRequest$, 64 | 0, 64 | 0, 1, 1, 1, 0, 0, 2, () => NetworkInterfaceCountRequest$, 0, 64 | 0, () => TotalLocalStorageGBRequest$, () => BaselineEbsBandwidthMbpsRequest$, 64 | 0, () => AcceleratorCountRequest$, 64 | 0, 64 | 0, () => AcceleratorTotalMemoryMiBRequest$, () => NetworkBandwidthGbpsRequest$, 64 | 0, [() => BaselinePerformanceFactorsRequest$, 0]], 2
];
var InstanceReusePolicy$ = [3, n0, _IRP,
    0,
    [_ROSI],
    [2]
];
var InstancesDistribution$ = [3, n0, _ID,
    0,
    [_ODAS, _ODBC, _ODPABC, _SAS, _SIP, _SMP, _DSi],
    [0, 1, 1, 0, 1, 0, () => DistributionSegments]
];
var LaunchConfiguration$ = [3, n0, _LC,
    0,
    [_LCN, _IIm, _IT, _CT, _LCARN, _KN, _SG, _CLVPCI, _CLVPCSG, _UD, _KI, _RI, _BDMl, _IM, _SPp, _IIP, _EO, _APIA, _PT, _MO],
    [0, 0, 0, 4, 0, 0, 64 | 0, 0, 64 | 0, 0, 0, 0, () => BlockDeviceMappings, () => InstanceMonitoring$, 0, 0, 2, 2, 0, () => InstanceMetadataOptions$], 4
];
var LaunchConfigurationNamesType$ = [3, n0, _LCNT,
    0,
    [_LCNa, _NT, _MR],
    [64 | 0, 0, 1]
];
var LaunchConfigurationNameType$ = [3, n0, _LCNTa,
    0,
    [_LCN],
    [0], 1
];
var LaunchConfigurationsType$ = [3, n0, _LCT,
    0,
    [_LCa, _NT],
    [() => LaunchConfigurations, 0], 1
];
var LaunchInstancesError$ = [3, n0, _LIE,
    0,
    [_IT, _MT, _SIu, _AZv, _AZIv, _EC, _EMr],
    [0, 0, 0, 0, 0, 0, 0]
];
var LaunchInstancesRequest$ = [3, n0, _LIR,
    0,
    [_ASGN, _RC, _CTl, _AZ, _AZI, _SIub, _RS],
    [0, 1, [0, 4], 64 | 0, 64 | 0, 64 | 0, 0], 2
];
var LaunchInstancesResult$ = [3, n0, _LIRa,
    0,
    [_ASGN, _CTl, _I, _Er],
    [0, 0, () => InstanceCollections, () => LaunchInstancesErrors]
];
var LaunchTemplate$ = [3, n0, _LT,
    0,
    [_LTS, _Ov],
    [() => LaunchTemplateSpecification$, [() => Overrides, 0]]
];
var LaunchTemplateOverrides$ = [3, n0, _LTO,
    0,
    [_IT, _WC, _LTS, _IRns, _IIm],
    [0, 0, () => LaunchTemplateSpecification$, [() => InstanceRequirements$, 0], 0]
];
var LaunchTemplateSpecification$ = [3, n0, _LTS,
    0,
    [_LTI, _LTN, _Ve],
    [0, 0, 0]
];
var LifecycleHook$ = [3, n0, _LHi,
    0,
    [_LHN, _ASGN, _LTi, _NTARN, _RARN, _NM, _HTe, _GT, _DR],
    [0, 0, 0, 0, 0, 0, 1, 1, 0]
];
var LifecycleHookSpecification$ = [3, n0, _LHS,
    0,
    [_LHN, _LTi, _NM, _HTe, _DR, _NTARN, _RARN],
    [0, 0, 0, 1, 0, 0, 0], 2
];
var LoadBalancerState$ = [3, n0, _LBS,
    0,
    [_LBNo, _Sta],
    [0, 0]
];
var LoadBalancerTargetGroupState$ = [3, n0, _LBTGS,
    0,
    [_LBTGARN, _Sta],
    [0, 0]
];
var LoadForecast$ = [3, n0, _LF,
    0,
    [_Ti, _Va, _MSe],
    [64 | 4, 64 | 1, () => PredictiveScalingMetricSpecification$], 3
];
var MemoryGiBPerVCpuRequest$ = [3, n0, _MGBPVCR,
    0,
    [_Mi, _Ma],
    [1, 1]
];
var MemoryMiBRequest$ = [3, n0, _MMBR,
    0,
    [_Mi, _Ma],
    [1, 1], 1
];
var Metric$ = [3, n0, _Met,
    0,
    [_Na, _MN, _Di],
    [0, 0, () => MetricDimensions], 2
];
var MetricCollectionType$ = [3, n0, _MCT,
    0,
    [_Met],
    [0]
];
var MetricDataQuery$ = [3, n0, _MDQ,
    0,
    [_Id, _Ex, _MSet, _L, _RDe],
    [0, 0, () => MetricStat$, 0, 2], 1
];
var MetricDimension$ = [3, n0, _MD,
    0,
    [_N, _V],
    [0, 0], 2
];
var MetricGranularityType$ = [3, n0, _MGT,
    0,
    [_Gr],
    [0]
];
var MetricStat$ = [3, n0, _MSet,
    0,
    [_Met, _Stat, _U],
    [() => Metric$, 0, 0], 2
];
var MixedInstancesPolicy$ = [3, n0, _MIP,
    0,
    [_LT, _ID],
    [[() => LaunchTemplate$, 0], () => InstancesDistribution$]
];
var NetworkBandwidthGbpsRequest$ = [3, n0, _NBGR,
    0,
    [_Mi, _Ma],
    [1, 1]
];
var NetworkInterfaceCountRequest$ = [3, n0, _NICR,
    0,
    [_Mi, _Ma],
    [1, 1]
];
var NotificationConfiguration$ = [3, n0, _NCo,
    0,
    [_ASGN, _TARN, _NTo],
    [0, 0, 0]
];
var Operator$ = [3, n0, _O,
    0,
    [_Pri],
    [0], 1
];
var PerformanceFactorReferenceRequest$ = [3, n0, _PFRR,
    0,
    [_IF],
    [0]
];
var PoliciesType$ = [3, n0, _PTol,
    0,
    [_SPc, _NT],
    [() => ScalingPolicies, 0]
];
var PolicyARNType$ = [3, n0, _PARNT,
    0,
    [_PARN, _Ala],
    [0, () => Alarms]
];
var PredefinedMetricSpecification$ = [3, n0, _PMS,
    0,
    [_PMT, _RL],
    [0, 0], 1
];
var PredictiveScalingConfiguration$ = [3, n0, _PSC,
    0,
    [_MSetr, _Mo, _SBT, _MCBB, _MCB],
    [() => PredictiveScalingMetricSpecifications, 0, 1, 0, 1], 1
];
var PredictiveScalingCustomizedCapacityMetric$ = [3, n0, _PSCCM,
    0,
    [_MDQe],
    [() => MetricDataQueries], 1
];
var PredictiveScalingCustomizedLoadMetric$ = [3, n0, _PSCLM,
    0,
    [_MDQe],
    [() => MetricDataQueries], 1
];
var PredictiveScalingCustomizedScalingMetric$ = [3, n0, _PSCSM,
    0,
    [_MDQe],
    [() => MetricDataQueries], 1
];
var PredictiveScalingMetricSpecification$ = [3, n0, _PSMS,
    0,
    [_TV, _PMPS, _PSMSr, _PLMS, _CSMS, _CLMS, _CCMS],
    [1, () => PredictiveScalingPredefinedMetricPair$, () => PredictiveScalingPredefinedScalingMetric$, () => PredictiveScalingPredefinedLoadMetric$, () => PredictiveScalingCustomizedScalingMetric$, () => PredictiveScalingCustomizedLoadMetric$, () => PredictiveScalingCustomizedCapacityMetric$], 1
];
var PredictiveScalingPredefinedLoadMetric$ = [3, n0, _PSPLM,
    0,
    [_PMT, _RL],
    [0, 0], 1
];
var PredictiveScalingPredefinedMetricPair$ = [3, n0, _PSPMP,
    0,
    [_PMT, _RL],
    [0, 0], 1
];
var PredictiveScalingPredefinedScalingMetric$ = [3, n0, _PSPSM,
    0,
    [_PMT, _RL],
    [0, 0], 1
];
var ProcessesType$ = [3, n0, _PTr,
    0,
    [_Pro],
    [() => Processes]
];
var ProcessType$ = [3, n0, _PTro,
    0,
    [_PNr],
    [0], 1
];
var PutAccountSettingAnswer$ = [3, n0, _PASA,
    0,
    [],
    []
];
var PutAccountSettingType$ = [3, n0, _PAST,
    0,
    [_N, _V],
    [0, 0], 2
];
var PutLifecycleHookAnswer$ = [3, n0, _PLHA,
    0,
    [],
    []
];
var PutLifecycleHookType$ = [3, n0, _PLHT,
    0,
    [_LHN, _ASGN, _LTi, _RARN, _NTARN, _NM, _HTe, _DR],
    [0, 0, 0, 0, 0, 0, 1, 0], 2
];
var PutNotificationConfigurationType$ = [3, n0, _PNCT,
    0,
    [_ASGN, _TARN, _NTot],
    [0, 0, 64 | 0], 3
];
var PutScalingPolicyType$ = [3, n0, _PSPT,
    0,
    [_ASGN, _PN, _PToli, _ATd, _MAS, _MAM, _SA, _Coo, _MAT, _SAt, _EIW, _TTC, _Ena, _PSC],
    [0, 0, 0, 0, 1, 1, 1, 1, 0, () => StepAdjustments, 1, () => TargetTrackingConfiguration$, 2, () => PredictiveScalingConfiguration$], 2
];
var PutScheduledUpdateGroupActionType$ = [3, n0, _PSUGAT,
    0,
    [_ASGN, _SANc, _Tim, _ST, _ETn, _Rec, _MS, _MSa, _DC, _TZ],
    [0, 0, 4, 4, 4, 0, 1, 1, 1, 0], 2
];
var PutWarmPoolAnswer$ = [3, n0, _PWPA,
    0,
    [],
    []
];
var PutWarmPoolType$ = [3, n0, _PWPT,
    0,
    [_ASGN, _MGPC, _MS, _PS, _IRP],
    [0, 1, 1, 0, () => InstanceReusePolicy$], 1
];
var RecordLifecycleActionHeartbeatAnswer$ = [3, n0, _RLAHA,
    0,
    [],
    []
];
var RecordLifecycleActionHeartbeatType$ = [3, n0, _RLAHT,
    0,
    [_LHN, _ASGN, _LAT, _IIns],
    [0, 0, 0, 0], 2
];
var RefreshPreferences$ = [3, n0, _RP,
    0,
    [_MHP, _IW, _CP, _CD, _SMk, _AR, _SIPI, _SIt, _ASl, _MHPa, _BTa],
    [1, 1, 64 | 1, 1, 2, 2, 0, 0, () => AlarmSpecification$, 1, 1]
];
var RetentionTriggers$ = [3, n0, _RT,
    0,
    [_THA],
    [0]
];
var RollbackDetails$ = [3, n0, _RD,
    0,
    [_RR, _RST, _PCOR, _ITUOR, _PDOR],
    [0, 4, 1, 1, () => InstanceRefreshProgressDetails$]
];
var RollbackInstanceRefreshAnswer$ = [3, n0, _RIRA,
    0,
    [_IRI],
    [0]
];
var RollbackInstanceRefreshType$ = [3, n0, _RIRT,
    0,
    [_ASGN],
    [0], 1
];
var ScalingPolicy$ = [3, n0, _SPca,
    0,
    [_ASGN, _PN, _PARN, _PToli, _ATd, _MAS, _MAM, _SA, _Coo, _SAt, _MAT, _EIW, _Ala, _TTC, _Ena, _PSC],
    [0, 0, 0, 0, 0, 1, 1, 1, 1, () => StepAdjustments, 0, 1, () => Alarms, () => TargetTrackingConfiguration$, 2, () => PredictiveScalingConfiguration$]
];
var ScalingProcessQuery$ = [3, n0, _SPQ,
    0,
    [_ASGN, _SPcal],
    [0, 64 | 0], 1
];
var ScheduledActionsType$ = [3, n0, _SAT,
    0,
    [_SUGA, _NT],
    [() => ScheduledUpdateGroupActions, 0]
];
var ScheduledUpdateGroupAction$ = [3, n0, _SUGAc,
    0,
    [_ASGN, _SANc, _SAARN, _Tim, _ST, _ETn, _Rec, _MS, _MSa, _DC, _TZ],
    [0, 0, 0, 4, 4, 4, 0, 1, 1, 1, 0]
];
var ScheduledUpdateGroupActionRequest$ = [3, n0, _SUGAR,
    0,
    [_SANc, _ST, _ETn, _Rec, _MS, _MSa, _DC, _TZ],
    [0, 4, 4, 0, 1, 1, 1, 0], 1
];
var SetDesiredCapacityType$ = [3, n0, _SDCT,
    0,
    [_ASGN, _DC, _HC],
    [0, 1, 2], 2
];
var SetInstanceHealthQuery$ = [3, n0, _SIHQ,
    0,
    [_IIns, _HS, _SRGP],
    [0, 0, 2], 2
];
var SetInstanceProtectionAnswer$ = [3, n0, _SIPA,
    0,
    [],
    []
];
var SetInstanceProtectionQuery$ = [3, n0, _SIPQ,
    0,
    [_II, _ASGN, _PFSI],
    [64 | 0, 0, 2], 3
];
var StartInstanceRefreshAnswer$ = [3, n0, _SIRA,
    0,
    [_IRI],
    [0]
];
var StartInstanceRefreshType$ = [3, n0, _SIRT,
    0,
    [_ASGN, _Str, _DCes, _Pr],
    [0, 0, [() => DesiredConfiguration$, 0], () => RefreshPreferences$], 1
];
var StepAdjustment$ = [3, n0, _SAte,
    0,
    [_SA, _MILB, _MIUB],
    [1, 1, 1], 1
];
var SuspendedProcess$ = [3, n0, _SPu,
    0,
    [_PNr, _SRu],
    [0, 0]
];
var Tag$ = [3, n0, _Ta,
    0,
    [_K, _RIe, _RTe, _V, _PAL],
    [0, 0, 0, 0, 2], 1
];
var TagDescription$ = [3, n0, _TD,
    0,
    [_RIe, _RTe, _K, _V, _PAL],
    [0, 0, 0, 0, 2]
];
var TagsType$ = [3, n0, _TT,
    0,
    [_T, _NT],
    [() => TagDescriptionList, 0]
];
var TargetTrackingConfiguration$ = [3, n0, _TTC,
    0,
    [_TV, _PMS, _CMS, _DSI],
    [1, () => PredefinedMetricSpecification$, () => CustomizedMetricSpecification$, 2], 1
];
var TargetTrackingMetricDataQuery$ = [3, n0, _TTMDQ,
    0,
    [_Id, _Ex, _MSet, _L, _Pe, _RDe],
    [0, 0, () => TargetTrackingMetricStat$, 0, 1, 2], 1
];
var TargetTrackingMetricStat$ = [3, n0, _TTMS,
    0,
    [_Met, _Stat, _U, _Pe],
    [() => Metric$, 0, 0, 1], 2
];
var TerminateInstanceInAutoScalingGroupType$ = [3, n0, _TIIASGT,
    0,
    [_SDDC, _IIns, _II, _ASGN],
    [2, 0, 64 | 0, 0], 1
];
var TotalLocalStorageGBRequest$ = [3, n0, _TLSGBR,
    0,
    [_Mi, _Ma],
    [1, 1]
];
var TrafficSourceIdentifier$ = [3, n0, _TSI,
    0,
    [_Ide, _Ty],
    [0, 0], 1
];
var TrafficSourceState$ = [3, n0, _TSS,
    0,
    [_TSr, _Sta, _Ide, _Ty],
    [0, 0, 0, 0]
];
var UpdateAutoScalingGroupType$ = [3, n0, _UASGT,
    0,
    [_ASGN, _LCN, _LT, _MIP, _MS, _MSa, _DC, _DCe, _AZ, _AZI, _HCT, _HCGP, _PG, _VPCZI, _TP, _NIPFSI, _SLRARN, _MIL, _CR, _Co, _DCT, _DIW, _IMP, _AZD, _AZIP, _SZSV, _CRS, _ILP, _DP],
    [0, 0, () => LaunchTemplateSpecification$, [() => MixedInstancesPolicy$, 0], 1, 1, 1, 1, 64 | 0, 64 | 0, 0, 1, 0, 0, 64 | 0, 2, 0, 1, 2, 0, 0, 1, () => InstanceMaintenancePolicy$, () => AvailabilityZoneDistribution$, () => AvailabilityZoneImpairmentPolicy$, 2, () => CapacityReservationSpecification$, () => InstanceLifecyclePolicy$, 0], 1
];
var VCpuCountRequest$ = [3, n0, _VCCR,
    0,
    [_Mi, _Ma],
    [1, 1], 1
];
var WarmPoolConfiguration$ = [3, n0, _WPC,
    0,
    [_MGPC, _MS, _PS, _S, _IRP],
    [1, 1, 0, 0, () => InstanceReusePolicy$]
];
var __Unit = "unit";
var AcceleratorManufacturers = (/* unused pure expression or super */ null && (64 | 0));
var AcceleratorNames = (/* unused pure expression or super */ null && (64 | 0));
var AcceleratorTypes = (/* unused pure expression or super */ null && (64 | 0));
var AccountSettings = [1, n0, _ASc,
    0, () => AccountSetting$
];
var Activities = [1, n0, _A,
    0, () => Activity$
];
var ActivityIds = (/* unused pure expression or super */ null && (64 | 0));
var AdjustmentTypes = [1, n0, _ATdj,
    0, () => AdjustmentType$
];
var AlarmList = (/* unused pure expression or super */ null && (64 | 0));
var Alarms = [1, n0, _Ala,
    0, () => Alarm$
];
var AllowedInstanceTypes = (/* unused pure expression or super */ null && (64 | 0));
var AutoScalingGroupNames = (/* unused pure expression or super */ null && (64 | 0));
var AutoScalingGroups = [1, n0, _ASGu,
    0, [() => AutoScalingGroup$,
        0]
];
var AutoScalingInstances = [1, n0, _ASI,
    0, () => AutoScalingInstanceDetails$
];
var AutoScalingNotificationTypes = (/* unused pure expression or super */ null && (64 | 0));
var AvailabilityZoneIds = (/* unused pure expression or super */ null && (64 | 0));
var AvailabilityZoneIdsLimit1 = (/* unused pure expression or super */ null && (64 | 0));
var AvailabilityZones = (/* unused pure expression or super */ null && (64 | 0));
var AvailabilityZonesLimit1 = (/* unused pure expression or super */ null && (64 | 0));
var BlockDeviceMappings = [1, n0, _BDMl,
    0, () => BlockDeviceMapping$
];
var CapacityReservationIds = (/* unused pure expression or super */ null && (64 | 0));
var CapacityReservationResourceGroupArns = (/* unused pure expression or super */ null && (64 | 0));
var CheckpointPercentages = (/* unused pure expression or super */ null && (64 | 1));
var ClassicLinkVPCSecurityGroups = (/* unused pure expression or super */ null && (64 | 0));
var CpuManufacturers = (/* unused pure expression or super */ null && (64 | 0));
var DistributionSegments = [1, n0, _DSi,
    0, () => DistributionSegment$
];
var EnabledMetrics = [1, n0, _EM,
    0, () => EnabledMetric$
];
var ExcludedInstanceTypes = (/* unused pure expression or super */ null && (64 | 0));
var FailedScheduledUpdateGroupActionRequests = [1, n0, _FSUGARa,
    0, () => FailedScheduledUpdateGroupActionRequest$
];
var Filters = [1, n0, _F,
    0, () => Filter$
];
var InstanceCollections = [1, n0, _ICn,
    0, () => InstanceCollection$
];
var InstanceGenerations = (/* unused pure expression or super */ null && (64 | 0));
var InstanceIds = (/* unused pure expression or super */ null && (64 | 0));
var InstanceRefreshes = [1, n0, _IR,
    0, [() => InstanceRefresh$,
        0]
];
var InstanceRefreshIds = (/* unused pure expression or super */ null && (64 | 0));
var Instances = [1, n0, _I,
    0, () => Instance$
];
var LaunchConfigurationNames = (/* unused pure expression or super */ null && (64 | 0));
var LaunchConfigurations = [1, n0, _LCa,
    0, () => LaunchConfiguration$
];
var LaunchInstancesErrors = [1, n0, _LIEa,
    0, () => LaunchInstancesError$
];
var LifecycleHookNames = (/* unused pure expression or super */ null && (64 | 0));
var LifecycleHooks = [1, n0, _LH,
    0, () => LifecycleHook$
];
var LifecycleHookSpecifications = [1, n0, _LHSi,
    0, () => LifecycleHookSpecification$
];
var LoadBalancerNames = (/* unused pure expression or super */ null && (64 | 0));
var LoadBalancerStates = [1, n0, _LBSo,
    0, () => LoadBalancerState$
];
var LoadBalancerTargetGroupStates = [1, n0, _LBTGSo,
    0, () => LoadBalancerTargetGroupState$
];
var LoadForecasts = [1, n0, _LFo,
    0, () => LoadForecast$
];
var LocalStorageTypes = (/* unused pure expression or super */ null && (64 | 0));
var MetricCollectionTypes = [1, n0, _MCTe,
    0, () => MetricCollectionType$
];
var MetricDataQueries = [1, n0, _MDQe,
    0, () => MetricDataQuery$
];
var MetricDimensions = [1, n0, _MDe,
    0, () => MetricDimension$
];
var MetricGranularityTypes = [1, n0, _MGTe,
    0, () => MetricGranularityType$
];
var Metrics = (/* unused pure expression or super */ null && (64 | 0));
var NotificationConfigurations = [1, n0, _NC,
    0, () => NotificationConfiguration$
];
var Overrides = [1, n0, _Ov,
    0, [() => LaunchTemplateOverrides$,
        0]
];
var PerformanceFactorReferenceSetRequest = [1, n0, _PFRSR,
    0, [() => PerformanceFactorReferenceRequest$,
        { [_xN]: _i }]
];
var PolicyNames = (/* unused pure expression or super */ null && (64 | 0));
var PolicyTypes = (/* unused pure expression or super */ null && (64 | 0));
var PredictiveScalingForecastTimestamps = (/* unused pure expression or super */ null && (64 | 4));
var PredictiveScalingForecastValues = (/* unused pure expression or super */ null && (64 | 1));
var PredictiveScalingMetricSpecifications = [1, n0, _PSMSre,
    0, () => PredictiveScalingMetricSpecification$
];
var Processes = [1, n0, _Pro,
    0, () => ProcessType$
];
var ProcessNames = (/* unused pure expression or super */ null && (64 | 0));
var ScalingPolicies = [1, n0, _SPc,
    0, () => ScalingPolicy$
];
var ScheduledActionNames = (/* unused pure expression or super */ null && (64 | 0));
var ScheduledUpdateGroupActionRequests = [1, n0, _SUGARc,
    0, () => ScheduledUpdateGroupActionRequest$
];
var ScheduledUpdateGroupActions = [1, n0, _SUGA,
    0, () => ScheduledUpdateGroupAction$
];
var SecurityGroups = (/* unused pure expression or super */ null && (64 | 0));
var StepAdjustments = [1, n0, _SAt,
    0, () => StepAdjustment$
];
var SubnetIdsLimit1 = (/* unused pure expression or super */ null && (64 | 0));
var SuspendedProcesses = [1, n0, _SP,
    0, () => SuspendedProcess$
];
var TagDescriptionList = [1, n0, _TDL,
    0, () => TagDescription$
];
var Tags = [1, n0, _T,
    0, () => Tag$
];
var TargetCapacityTypes = (/* unused pure expression or super */ null && (64 | 0));
var TargetGroupARNs = (/* unused pure expression or super */ null && (64 | 0));
var TargetTrackingMetricDataQueries = [1, n0, _TTMDQa,
    0, () => TargetTrackingMetricDataQuery$
];
var TerminationInstanceIds = (/* unused pure expression or super */ null && (64 | 0));
var TerminationPolicies = (/* unused pure expression or super */ null && (64 | 0));
var TrafficSources = [1, n0, _TS,
    0, () => TrafficSourceIdentifier$
];
var TrafficSourceStates = [1, n0, _TSSr,
    0, () => TrafficSourceState$
];
var Values = (/* unused pure expression or super */ null && (64 | 0));
var AttachInstances$ = [9, n0, _AIt,
    0, () => AttachInstancesQuery$, () => __Unit
];
var AttachLoadBalancers$ = [9, n0, _ALB,
    0, () => AttachLoadBalancersType$, () => AttachLoadBalancersResultType$
];
var AttachLoadBalancerTargetGroups$ = [9, n0, _ALBTG,
    0, () => AttachLoadBalancerTargetGroupsType$, () => AttachLoadBalancerTargetGroupsResultType$
];
var AttachTrafficSources$ = [9, n0, _ATS,
    0, () => AttachTrafficSourcesType$, () => AttachTrafficSourcesResultType$
];
var BatchDeleteScheduledAction$ = [9, n0, _BDSA,
    0, () => BatchDeleteScheduledActionType$, () => BatchDeleteScheduledActionAnswer$
];
var BatchPutScheduledUpdateGroupAction$ = [9, n0, _BPSUGA,
    0, () => BatchPutScheduledUpdateGroupActionType$, () => BatchPutScheduledUpdateGroupActionAnswer$
];
var CancelInstanceRefresh$ = [9, n0, _CIR,
    0, () => CancelInstanceRefreshType$, () => CancelInstanceRefreshAnswer$
];
var CompleteLifecycleAction$ = [9, n0, _CLA,
    0, () => CompleteLifecycleActionType$, () => CompleteLifecycleActionAnswer$
];
var CreateAutoScalingGroup$ = [9, n0, _CASG,
    0, () => CreateAutoScalingGroupType$, () => __Unit
];
var CreateLaunchConfiguration$ = [9, n0, _CLC,
    0, () => CreateLaunchConfigurationType$, () => __Unit
];
var CreateOrUpdateTags$ = [9, n0, _COUT,
    0, () => CreateOrUpdateTagsType$, () => __Unit
];
var DeleteAutoScalingGroup$ = [9, n0, _DASG,
    0, () => DeleteAutoScalingGroupType$, () => __Unit
];
var DeleteLaunchConfiguration$ = [9, n0, _DLC,
    0, () => LaunchConfigurationNameType$, () => __Unit
];
var DeleteLifecycleHook$ = [9, n0, _DLH,
    0, () => DeleteLifecycleHookType$, () => DeleteLifecycleHookAnswer$
];
var DeleteNotificationConfiguration$ = [9, n0, _DNC,
    0, () => DeleteNotificationConfigurationType$, () => __Unit
];
var DeletePolicy$ = [9, n0, _DPe,
    0, () => DeletePolicyType$, () => __Unit
];
var DeleteScheduledAction$ = [9, n0, _DSA,
    0, () => DeleteScheduledActionType$, () => __Unit
];
var DeleteTags$ = [9, n0, _DT,
    0, () => DeleteTagsType$, () => __Unit
];
var DeleteWarmPool$ = [9, n0, _DWP,
    0, () => DeleteWarmPoolType$, () => DeleteWarmPoolAnswer$
];
var DescribeAccountLimits$ = [9, n0, _DAL,
    0, () => __Unit, () => DescribeAccountLimitsAnswer$
];
var DescribeAccountSettings$ = [9, n0, _DAS,
    0, () => DescribeAccountSettingsType$, () => DescribeAccountSettingsAnswer$
];
var DescribeAdjustmentTypes$ = [9, n0, _DAT,
    0, () => __Unit, () => DescribeAdjustmentTypesAnswer$
];
var DescribeAutoScalingGroups$ = [9, n0, _DASGe,
    0, () => AutoScalingGroupNamesType$, () => AutoScalingGroupsType$
];
var DescribeAutoScalingInstances$ = [9, n0, _DASI,
    0, () => DescribeAutoScalingInstancesType$, () => AutoScalingInstancesType$
];
var DescribeAutoScalingNotificationTypes$ = [9, n0, _DASNT,
    0, () => __Unit, () => DescribeAutoScalingNotificationTypesAnswer$
];
var DescribeInstanceRefreshes$ = [9, n0, _DIR,
    0, () => DescribeInstanceRefreshesType$, () => DescribeInstanceRefreshesAnswer$
];
var DescribeLaunchConfigurations$ = [9, n0, _DLCe,
    0, () => LaunchConfigurationNamesType$, () => LaunchConfigurationsType$
];
var DescribeLifecycleHooks$ = [9, n0, _DLHe,
    0, () => DescribeLifecycleHooksType$, () => DescribeLifecycleHooksAnswer$
];
var DescribeLifecycleHookTypes$ = [9, n0, _DLHTes,
    0, () => __Unit, () => DescribeLifecycleHookTypesAnswer$
];
var DescribeLoadBalancers$ = [9, n0, _DLB,
    0, () => DescribeLoadBalancersRequest$, () => DescribeLoadBalancersResponse$
];
var DescribeLoadBalancerTargetGroups$ = [9, n0, _DLBTG,
    0, () => DescribeLoadBalancerTargetGroupsRequest$, () => DescribeLoadBalancerTargetGroupsResponse$
];
var DescribeMetricCollectionTypes$ = [9, n0, _DMCT,
    0, () => __Unit, () => DescribeMetricCollectionTypesAnswer$
];
var DescribeNotificationConfigurations$ = [9, n0, _DNCe,
    0, () => DescribeNotificationConfigurationsType$, () => DescribeNotificationConfigurationsAnswer$
];
var DescribePolicies$ = [9, n0, _DPes,
    0, () => DescribePoliciesType$, () => PoliciesType$
];
var DescribeScalingActivities$ = [9, n0, _DSAe,
    0, () => DescribeScalingActivitiesType$, () => ActivitiesType$
];
var DescribeScalingProcessTypes$ = [9, n0, _DSPT,
    0, () => __Unit, () => ProcessesType$
];
var DescribeScheduledActions$ = [9, n0, _DSAes,
    0, () => DescribeScheduledActionsType$, () => ScheduledActionsType$
];
var DescribeTags$ = [9, n0, _DTe,
    0, () => DescribeTagsType$, () => TagsType$
];
var DescribeTerminationPolicyTypes$ = [9, n0, _DTPT,
    0, () => __Unit, () => DescribeTerminationPolicyTypesAnswer$
];
var DescribeTrafficSources$ = [9, n0, _DTS,
    0, () => DescribeTrafficSourcesRequest$, () => DescribeTrafficSourcesResponse$
];
var DescribeWarmPool$ = [9, n0, _DWPe,
    0, () => DescribeWarmPoolType$, () => DescribeWarmPoolAnswer$
];
var DetachInstances$ = [9, n0, _DI,
    0, () => DetachInstancesQuery$, () => DetachInstancesAnswer$
];
var DetachLoadBalancers$ = [9, n0, _DLBe,
    0, () => DetachLoadBalancersType$, () => DetachLoadBalancersResultType$
];
var DetachLoadBalancerTargetGroups$ = [9, n0, _DLBTGe,
    0, () => DetachLoadBalancerTargetGroupsType$, () => DetachLoadBalancerTargetGroupsResultType$
];
var DetachTrafficSources$ = [9, n0, _DTSe,
    0, () => DetachTrafficSourcesType$, () => DetachTrafficSourcesResultType$
];
var DisableMetricsCollection$ = [9, n0, _DMC,
    0, () => DisableMetricsCollectionQuery$, () => __Unit
];
var EnableMetricsCollection$ = [9, n0, _EMC,
    0, () => EnableMetricsCollectionQuery$, () => __Unit
];
var EnterStandby$ = [9, n0, _ES,
    0, () => EnterStandbyQuery$, () => EnterStandbyAnswer$
];
var ExecutePolicy$ = [9, n0, _EP,
    0, () => ExecutePolicyType$, () => __Unit
];
var ExitStandby$ = [9, n0, _ESx,
    0, () => ExitStandbyQuery$, () => ExitStandbyAnswer$
];
var GetPredictiveScalingForecast$ = [9, n0, _GPSF,
    0, () => GetPredictiveScalingForecastType$, () => GetPredictiveScalingForecastAnswer$
];
var LaunchInstances$ = [9, n0, _LI,
    0, () => LaunchInstancesRequest$, () => LaunchInstancesResult$
];
var PutAccountSetting$ = [9, n0, _PAS,
    0, () => PutAccountSettingType$, () => PutAccountSettingAnswer$
];
var PutLifecycleHook$ = [9, n0, _PLH,
    0, () => PutLifecycleHookType$, () => PutLifecycleHookAnswer$
];
var PutNotificationConfiguration$ = [9, n0, _PNC,
    0, () => PutNotificationConfigurationType$, () => __Unit
];
var PutScalingPolicy$ = [9, n0, _PSP,
    0, () => PutScalingPolicyType$, () => PolicyARNType$
];
var PutScheduledUpdateGroupAction$ = [9, n0, _PSUGA,
    0, () => PutScheduledUpdateGroupActionType$, () => __Unit
];
var PutWarmPool$ = [9, n0, _PWP,
    0, () => PutWarmPoolType$, () => PutWarmPoolAnswer$
];
var RecordLifecycleActionHeartbeat$ = [9, n0, _RLAH,
    0, () => RecordLifecycleActionHeartbeatType$, () => RecordLifecycleActionHeartbeatAnswer$
];
var ResumeProcesses$ = [9, n0, _RPe,
    0, () => ScalingProcessQuery$, () => __Unit
];
var RollbackInstanceRefresh$ = [9, n0, _RIR,
    0, () => RollbackInstanceRefreshType$, () => RollbackInstanceRefreshAnswer$
];
var SetDesiredCapacity$ = [9, n0, _SDC,
    0, () => SetDesiredCapacityType$, () => __Unit
];
var SetInstanceHealth$ = [9, n0, _SIH,
    0, () => SetInstanceHealthQuery$, () => __Unit
];
var SetInstanceProtection$ = [9, n0, _SIPe,
    0, () => SetInstanceProtectionQuery$, () => SetInstanceProtectionAnswer$
];
var StartInstanceRefresh$ = [9, n0, _SIR,
    0, () => StartInstanceRefreshType$, () => StartInstanceRefreshAnswer$
];
var SuspendProcesses$ = [9, n0, _SPus,
    0, () => ScalingProcessQuery$, () => __Unit
];
var TerminateInstanceInAutoScalingGroup$ = [9, n0, _TIIASG,
    0, () => TerminateInstanceInAutoScalingGroupType$, () => ActivityType$
];
var UpdateAutoScalingGroup$ = [9, n0, _UASG,
    0, () => UpdateAutoScalingGroupType$, () => __Unit
];

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/runtimeConfig.shared.js









const getRuntimeConfig = (config) => {
    return {
        apiVersion: "2011-01-01",
        base64Decoder: config?.base64Decoder ?? serde.fromBase64,
        base64Encoder: config?.base64Encoder ?? serde.toBase64,
        disableHostPrefix: config?.disableHostPrefix ?? false,
        endpointProvider: config?.endpointProvider ?? defaultEndpointResolver,
        extensions: config?.extensions ?? [],
        httpAuthSchemeProvider: config?.httpAuthSchemeProvider ?? defaultAutoScalingHttpAuthSchemeProvider,
        httpAuthSchemes: config?.httpAuthSchemes ?? [
            {
                schemeId: "aws.auth#sigv4",
                identityProvider: (ipc) => ipc.getIdentityProvider("aws.auth#sigv4"),
                signer: new httpAuthSchemes.AwsSdkSigV4Signer(),
            },
        ],
        logger: config?.logger ?? new submodules_client.NoOpLogger(),
        protocol: config?.protocol ?? submodules_protocols.AwsQueryProtocol,
        protocolSettings: config?.protocolSettings ?? {
            defaultNamespace: "com.amazonaws.autoscaling",
            errorTypeRegistries: errorTypeRegistries,
            xmlNamespace: "http://autoscaling.amazonaws.com/doc/2011-01-01/",
            version: "2011-01-01",
            serviceTarget: "AutoScaling_2011_01_01",
        },
        serviceId: config?.serviceId ?? "Auto Scaling",
        sha256: config?.sha256 ?? checksum.Sha256,
        urlParser: config?.urlParser ?? protocols.parseUrl,
        utf8Decoder: config?.utf8Decoder ?? serde.fromUtf8,
        utf8Encoder: config?.utf8Encoder ?? serde.toUtf8,
    };
};

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/runtimeConfig.js










const runtimeConfig_getRuntimeConfig = (config) => {
    (0,submodules_client.emitWarningIfUnsupportedVersion)(process.version);
    const defaultsMode = (0,submodules_config.resolveDefaultsModeConfig)(config);
    const defaultConfigProvider = () => defaultsMode().then(submodules_client.loadConfigsForDefaultMode);
    const clientSharedValues = getRuntimeConfig(config);
    (0,client.emitWarningIfUnsupportedVersion)(process.version);
    const loaderConfig = {
        profile: config?.profile,
        logger: clientSharedValues.logger,
    };
    return {
        ...clientSharedValues,
        ...config,
        runtime: "node",
        defaultsMode,
        authSchemePreference: config?.authSchemePreference ?? (0,submodules_config.loadConfig)(httpAuthSchemes.NODE_AUTH_SCHEME_PREFERENCE_OPTIONS, loaderConfig),
        bodyLengthChecker: config?.bodyLengthChecker ?? serde.calculateBodyLength,
        credentialDefaultProvider: config?.credentialDefaultProvider ?? defaultProvider/* defaultProvider */.v6,
        defaultSocketTimeout: (0,client.getDefaultSocketTimeout)(config?.requestHandler, 900_000),
        defaultUserAgentProvider: config?.defaultUserAgentProvider ?? (0,client.createDefaultUserAgentProvider)({ serviceId: clientSharedValues.serviceId, clientVersion: package_namespaceObject.rE }),
        maxAttempts: config?.maxAttempts ?? (0,submodules_config.loadConfig)(retry.NODE_MAX_ATTEMPT_CONFIG_OPTIONS, config),
        region: config?.region ?? (0,submodules_config.loadConfig)(submodules_config.NODE_REGION_CONFIG_OPTIONS, { ...submodules_config.NODE_REGION_CONFIG_FILE_OPTIONS, ...loaderConfig }),
        requestHandler: node_http_handler/* NodeHttpHandler */.$.create(config?.requestHandler ?? defaultConfigProvider),
        retryMode: config?.retryMode ??
            (0,submodules_config.loadConfig)({
                ...retry.NODE_RETRY_MODE_CONFIG_OPTIONS,
                default: async () => (await defaultConfigProvider()).retryMode || retry.DEFAULT_RETRY_MODE,
            }, config),
        streamCollector: config?.streamCollector ?? serde.streamCollector,
        useDualstackEndpoint: config?.useDualstackEndpoint ?? (0,submodules_config.loadConfig)(submodules_config.NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        useFipsEndpoint: config?.useFipsEndpoint ?? (0,submodules_config.loadConfig)(submodules_config.NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        userAgentAppId: config?.userAgentAppId ?? (0,submodules_config.loadConfig)(client.NODE_APP_ID_CONFIG_OPTIONS, loaderConfig),
    };
};

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/auth/httpAuthExtensionConfiguration.js
const getHttpAuthExtensionConfiguration = (runtimeConfig) => {
    const _httpAuthSchemes = runtimeConfig.httpAuthSchemes;
    let _httpAuthSchemeProvider = runtimeConfig.httpAuthSchemeProvider;
    let _credentials = runtimeConfig.credentials;
    return {
        setHttpAuthScheme(httpAuthScheme) {
            const index = _httpAuthSchemes.findIndex((scheme) => scheme.schemeId === httpAuthScheme.schemeId);
            if (index === -1) {
                _httpAuthSchemes.push(httpAuthScheme);
            }
            else {
                _httpAuthSchemes.splice(index, 1, httpAuthScheme);
            }
        },
        httpAuthSchemes() {
            return _httpAuthSchemes;
        },
        setHttpAuthSchemeProvider(httpAuthSchemeProvider) {
            _httpAuthSchemeProvider = httpAuthSchemeProvider;
        },
        httpAuthSchemeProvider() {
            return _httpAuthSchemeProvider;
        },
        setCredentials(credentials) {
            _credentials = credentials;
        },
        credentials() {
            return _credentials;
        },
    };
};
const resolveHttpAuthRuntimeConfig = (config) => {
    return {
        httpAuthSchemes: config.httpAuthSchemes(),
        httpAuthSchemeProvider: config.httpAuthSchemeProvider(),
        credentials: config.credentials(),
    };
};

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/runtimeExtensions.js




const resolveRuntimeExtensions = (runtimeConfig, extensions) => {
    const extensionConfiguration = Object.assign((0,client.getAwsRegionExtensionConfiguration)(runtimeConfig), (0,submodules_client.getDefaultExtensionConfiguration)(runtimeConfig), (0,protocols.getHttpHandlerExtensionConfiguration)(runtimeConfig), getHttpAuthExtensionConfiguration(runtimeConfig));
    extensions.forEach((extension) => extension.configure(extensionConfiguration));
    return Object.assign(runtimeConfig, (0,client.resolveAwsRegionExtensionConfiguration)(extensionConfiguration), (0,submodules_client.resolveDefaultRuntimeConfig)(extensionConfiguration), (0,protocols.resolveHttpHandlerRuntimeConfig)(extensionConfiguration), resolveHttpAuthRuntimeConfig(extensionConfiguration));
};

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/AutoScalingClient.js













class AutoScalingClient extends submodules_client.Client {
    config;
    constructor(...[configuration]) {
        const _config_0 = runtimeConfig_getRuntimeConfig(configuration || {});
        super(_config_0);
        this.initConfig = _config_0;
        const _config_1 = resolveClientEndpointParameters(_config_0);
        const _config_2 = (0,client.resolveUserAgentConfig)(_config_1);
        const _config_3 = (0,retry.resolveRetryConfig)(_config_2);
        const _config_4 = (0,submodules_config.resolveRegionConfig)(_config_3);
        const _config_5 = (0,client.resolveHostHeaderConfig)(_config_4);
        const _config_6 = (0,endpoints.resolveEndpointConfig)(_config_5);
        const _config_7 = resolveHttpAuthSchemeConfig(_config_6);
        const _config_8 = resolveRuntimeExtensions(_config_7, configuration?.extensions || []);
        this.config = _config_8;
        this.middlewareStack.use((0,schema.getSchemaSerdePlugin)(this.config));
        this.middlewareStack.use((0,client.getUserAgentPlugin)(this.config));
        this.middlewareStack.use((0,retry.getRetryPlugin)(this.config));
        this.middlewareStack.use((0,protocols.getContentLengthPlugin)(this.config));
        this.middlewareStack.use((0,client.getHostHeaderPlugin)(this.config));
        this.middlewareStack.use((0,client.getLoggerPlugin)(this.config));
        this.middlewareStack.use((0,client.getRecursionDetectionPlugin)(this.config));
        this.middlewareStack.use((0,dist_cjs.getHttpAuthSchemeEndpointRuleSetPlugin)(this.config, {
            httpAuthSchemeParametersProvider: defaultAutoScalingHttpAuthSchemeParametersProvider,
            identityProviderConfigProvider: async (config) => new dist_cjs.DefaultIdentityProviderConfig({
                "aws.auth#sigv4": config.credentials,
            }),
        }));
        this.middlewareStack.use((0,dist_cjs.getHttpSigningPlugin)(this.config));
    }
    destroy() {
        super.destroy();
    }
}

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/commandBuilder.js



const command = (0,submodules_client.makeBuilder)(commonParams, "AutoScaling_2011_01_01", "AutoScalingClient", endpoints.getEndpointPlugin);
const _ep0 = {};
const _mw0 = (Command, cs, config, o) => [];

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/commands/DescribeAutoScalingGroupsCommand.js


class DescribeAutoScalingGroupsCommand extends command(_ep0, _mw0, "DescribeAutoScalingGroups", DescribeAutoScalingGroups$) {
}

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/pagination/DescribeAutoScalingGroupsPaginator.js



const paginateDescribeAutoScalingGroups = (0,dist_cjs.createPaginator)(AutoScalingClient, DescribeAutoScalingGroupsCommand, "NextToken", "NextToken", "MaxRecords");

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/commands/DescribeLaunchConfigurationsCommand.js


class DescribeLaunchConfigurationsCommand extends command(_ep0, _mw0, "DescribeLaunchConfigurations", DescribeLaunchConfigurations$) {
}

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/pagination/DescribeLaunchConfigurationsPaginator.js



const paginateDescribeLaunchConfigurations = (0,dist_cjs.createPaginator)(AutoScalingClient, DescribeLaunchConfigurationsCommand, "NextToken", "NextToken", "MaxRecords");

;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/pagination/index.js















;// CONCATENATED MODULE: ./node_modules/@aws-sdk/client-auto-scaling/dist-es/index.js













/***/ })

};

//# sourceMappingURL=30.index.js.map