/**
 * Request and response shapes of the Kinesis Analytics V2 operations the emulator serves, written
 * after the service's API model (`kinesisanalyticsv2` 2018-05-23): member names, required members,
 * types and the model's constraints (length, range, pattern, enum). Every request is validated
 * against its input shape; the output shapes let tests check that responses carry no member the
 * model does not have.
 */

export type Shape =
  | StructureShape
  | ListShape
  | MapShape
  | StringShape
  | NumberShape
  | BooleanShape
  | BlobShape
  | TimestampShape

export interface StructureShape {
  type: 'structure'
  name: string
  members: Record<string, Shape>
  required: readonly string[]
}
export interface ListShape {
  type: 'list'
  name: string
  member: Shape
  min?: number
  max?: number
}
export interface MapShape {
  type: 'map'
  name: string
  key: StringShape
  value: Shape
  min?: number
  max?: number
}
export interface StringShape {
  type: 'string'
  name: string
  min?: number
  max?: number
  pattern?: string
  enum?: readonly string[]
}
export interface NumberShape {
  type: 'integer' | 'long'
  name: string
  min?: number
  max?: number
}
export interface BooleanShape {
  type: 'boolean'
  name: string
}
export interface BlobShape {
  type: 'blob'
  name: string
  min?: number
  max?: number
}
export interface TimestampShape {
  type: 'timestamp'
  name: string
}

type Limits = { min?: number; max?: number }

const string = (name: string, c: Limits & { pattern?: string; enum?: readonly string[] } = {}): StringShape => ({
  type: 'string',
  name,
  ...c
})
const integer = (name: string, c: Limits = {}): NumberShape => ({ type: 'integer', name, ...c })
const long = (name: string, c: Limits = {}): NumberShape => ({ type: 'long', name, ...c })
const boolean = (name: string): BooleanShape => ({ type: 'boolean', name })
const blob = (name: string, c: Limits = {}): BlobShape => ({ type: 'blob', name, ...c })
const timestamp = (name: string): TimestampShape => ({ type: 'timestamp', name })
const list = (name: string, member: Shape, c: Limits = {}): ListShape => ({ type: 'list', name, member, ...c })
const map = (name: string, key: StringShape, value: Shape, c: Limits = {}): MapShape => ({
  type: 'map',
  name,
  key,
  value,
  ...c
})
const structure = (name: string, members: Record<string, Shape>, required: readonly string[] = []): StructureShape => ({
  type: 'structure',
  name,
  members,
  required
})

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

const arnPattern = 'arn:.*'
export const ApplicationName = string('ApplicationName', { min: 1, max: 128, pattern: '[a-zA-Z0-9_.-]+' })
const BooleanObject = boolean('BooleanObject')
const ApplicationVersionId = long('ApplicationVersionId', { min: 1, max: 999999999 })
const ConditionalToken = string('ConditionalToken', { min: 1, max: 512, pattern: '[a-zA-Z0-9-_+/=]+' })
const RoleARN = string('RoleARN', { min: 1, max: 2048, pattern: arnPattern })
const ResourceARN = string('ResourceARN', { min: 1, max: 2048, pattern: arnPattern })
const BucketARN = string('BucketARN', { min: 1, max: 2048, pattern: arnPattern })
const DatabaseARN = string('DatabaseARN', { min: 1, max: 2048, pattern: arnPattern })
const LogStreamARN = string('LogStreamARN', { min: 1, max: 2048, pattern: arnPattern })
const KinesisAnalyticsARN = string('KinesisAnalyticsARN', { min: 1, max: 2048, pattern: arnPattern })
const FileKey = string('FileKey', { min: 1, max: 1024 })
const ObjectVersion = string('ObjectVersion', { min: 0, max: 1024 })
const Id = string('Id', { min: 1, max: 50, pattern: '[a-zA-Z0-9_.-]+' })
const InAppStreamName = string('InAppStreamName', { min: 1, max: 32, pattern: '[^-\\s<>&]*' })
const InAppTableName = string('InAppTableName', { min: 1, max: 32 })
const OperationId = string('OperationId', { min: 1, max: 64 })
const Operation = string('Operation', { min: 1, max: 64 })
const NextToken = string('NextToken', { min: 1, max: 512 })
const Timestamp = timestamp('Timestamp')
export const RUNTIME_ENVIRONMENTS = [
  'SQL-1_0',
  'FLINK-1_6',
  'FLINK-1_8',
  'ZEPPELIN-FLINK-1_0',
  'FLINK-1_11',
  'FLINK-1_13',
  'ZEPPELIN-FLINK-2_0',
  'FLINK-1_15',
  'ZEPPELIN-FLINK-3_0',
  'FLINK-1_18',
  'FLINK-1_19',
  'FLINK-1_20',
  'FLINK-2_2',
  'FLINK-2_3'
] as const
const RuntimeEnvironment = string('RuntimeEnvironment', { enum: RUNTIME_ENVIRONMENTS })
export const APPLICATION_STATUSES = [
  'DELETING',
  'STARTING',
  'STOPPING',
  'READY',
  'RUNNING',
  'UPDATING',
  'AUTOSCALING',
  'FORCE_STOPPING',
  'ROLLING_BACK',
  'MAINTENANCE',
  'ROLLED_BACK'
] as const
const ApplicationStatus = string('ApplicationStatus', { enum: APPLICATION_STATUSES })
const ApplicationMode = string('ApplicationMode', { enum: ['STREAMING', 'INTERACTIVE'] })
const ConfigurationType = string('ConfigurationType', { enum: ['DEFAULT', 'CUSTOM'] })
const MetricsLevel = string('MetricsLevel', { enum: ['APPLICATION', 'TASK', 'OPERATOR', 'PARALLELISM'] })
const LogLevel = string('LogLevel', { enum: ['INFO', 'WARN', 'ERROR', 'DEBUG'] })
const Parallelism = integer('Parallelism', { min: 1 })
const ParallelismPerKPU = integer('ParallelismPerKPU', { min: 1 })
const CheckpointInterval = long('CheckpointInterval', { min: 1 })
const MinPauseBetweenCheckpoints = long('MinPauseBetweenCheckpoints', { min: 0 })
export const APPLICATION_RESTORE_TYPES = [
  'SKIP_RESTORE_FROM_SNAPSHOT',
  'RESTORE_FROM_LATEST_SNAPSHOT',
  'RESTORE_FROM_CUSTOM_SNAPSHOT'
] as const
const ApplicationRestoreType = string('ApplicationRestoreType', { enum: APPLICATION_RESTORE_TYPES })
export const SnapshotName = string('SnapshotName', { min: 1, max: 256, pattern: '[a-zA-Z0-9_.-]+' })
const CodeContentType = string('CodeContentType', { enum: ['PLAINTEXT', 'ZIPFILE'] })
const TextContent = string('TextContent', { min: 0, max: 102400 })
const ZipFileContent = blob('ZipFileContent', { min: 0, max: 52428800 })
const RecordFormatType = string('RecordFormatType', { enum: ['JSON', 'CSV'] })
const RecordEncoding = string('RecordEncoding', { min: 5, max: 5, pattern: 'UTF-8' })
const PropertyKey = string('PropertyKey', { min: 1, max: 2048 })
const PropertyValue = string('PropertyValue', { min: 1, max: 2048 })
const KeyId = string('KeyId', { min: 1, max: 2048 })
const KeyType = string('KeyType', { enum: ['AWS_OWNED_KEY', 'CUSTOMER_MANAGED_KEY'] })
const ArtifactType = string('ArtifactType', { enum: ['UDF', 'DEPENDENCY_JAR'] })
const BasePath = string('BasePath', { min: 1, max: 1024, pattern: "[a-zA-Z0-9/!-_.*'()]+" })
const MavenId = (name: string) => string(name, { min: 1, max: 256, pattern: '[a-zA-Z0-9_.-]+' })
export const OPERATION_STATUSES = ['IN_PROGRESS', 'CANCELLED', 'SUCCESSFUL', 'FAILED'] as const
const OperationStatus = string('OperationStatus', { enum: OPERATION_STATUSES })
const TagKey = string('TagKey', { min: 1, max: 128 })
const TagValue = string('TagValue', { min: 0, max: 256 })

// ---------------------------------------------------------------------------------------------
// Shared structures
// ---------------------------------------------------------------------------------------------

const RecordFormat = structure(
  'RecordFormat',
  {
    RecordFormatType,
    MappingParameters: structure('MappingParameters', {
      JSONMappingParameters: structure(
        'JSONMappingParameters',
        { RecordRowPath: string('RecordRowPath', { min: 1, max: 65535, pattern: '^(?=^\\$)(?=^\\S+$).*$' }) },
        ['RecordRowPath']
      ),
      CSVMappingParameters: structure(
        'CSVMappingParameters',
        {
          RecordRowDelimiter: string('RecordRowDelimiter', { min: 1, max: 1024 }),
          RecordColumnDelimiter: string('RecordColumnDelimiter', { min: 1, max: 1024 })
        },
        ['RecordRowDelimiter', 'RecordColumnDelimiter']
      )
    })
  },
  ['RecordFormatType']
)
const RecordColumns = list(
  'RecordColumns',
  structure(
    'RecordColumn',
    {
      Name: string('RecordColumnName', { min: 1, max: 256, pattern: '[^-\\s<>&]*' }),
      Mapping: string('RecordColumnMapping', { min: 0, max: 65535 }),
      SqlType: string('RecordColumnSqlType', { min: 1, max: 100 })
    },
    ['Name', 'SqlType']
  ),
  { min: 1, max: 1000 }
)
const SourceSchema = structure(
  'SourceSchema',
  { RecordFormat, RecordEncoding, RecordColumns },
  ['RecordFormat', 'RecordColumns']
)
const PropertyGroups = list(
  'PropertyGroups',
  structure(
    'PropertyGroup',
    { PropertyGroupId: Id, PropertyMap: map('PropertyMap', PropertyKey, PropertyValue, { min: 1, max: 50 }) },
    ['PropertyGroupId', 'PropertyMap']
  ),
  { max: 50 }
)
const FlinkRunConfiguration = structure('FlinkRunConfiguration', { AllowNonRestoredState: BooleanObject })
const ApplicationRestoreConfiguration = structure(
  'ApplicationRestoreConfiguration',
  { ApplicationRestoreType, SnapshotName },
  ['ApplicationRestoreType']
)
const S3ContentLocation = structure(
  'S3ContentLocation',
  { BucketARN, FileKey, ObjectVersion },
  ['BucketARN', 'FileKey']
)
const MavenReference = structure(
  'MavenReference',
  { GroupId: MavenId('MavenGroupId'), ArtifactId: MavenId('MavenArtifactId'), Version: MavenId('MavenVersion') },
  ['GroupId', 'ArtifactId', 'Version']
)
const SubnetIds = list('SubnetIds', string('SubnetId'), { min: 1, max: 16 })
const SecurityGroupIds = list('SecurityGroupIds', string('SecurityGroupId'), { min: 1, max: 5 })
const Tag = structure('Tag', { Key: TagKey, Value: TagValue }, ['Key'])
const Tags = list('Tags', Tag, { min: 1, max: 200 })

// ---------------------------------------------------------------------------------------------
// UpdateApplication input
// ---------------------------------------------------------------------------------------------

const resourceArnUpdate = (name: string) => structure(name, { ResourceARNUpdate: ResourceARN }, ['ResourceARNUpdate'])

const SqlApplicationConfigurationUpdate = structure('SqlApplicationConfigurationUpdate', {
  InputUpdates: list(
    'InputUpdates',
    structure(
      'InputUpdate',
      {
        InputId: Id,
        NamePrefixUpdate: InAppStreamName,
        InputProcessingConfigurationUpdate: structure(
          'InputProcessingConfigurationUpdate',
          { InputLambdaProcessorUpdate: resourceArnUpdate('InputLambdaProcessorUpdate') },
          ['InputLambdaProcessorUpdate']
        ),
        KinesisStreamsInputUpdate: resourceArnUpdate('KinesisStreamsInputUpdate'),
        KinesisFirehoseInputUpdate: resourceArnUpdate('KinesisFirehoseInputUpdate'),
        InputSchemaUpdate: structure('InputSchemaUpdate', {
          RecordFormatUpdate: RecordFormat,
          RecordEncodingUpdate: RecordEncoding,
          RecordColumnUpdates: RecordColumns
        }),
        InputParallelismUpdate: structure(
          'InputParallelismUpdate',
          { CountUpdate: integer('InputParallelismCount', { min: 1, max: 64 }) },
          ['CountUpdate']
        )
      },
      ['InputId']
    )
  ),
  OutputUpdates: list(
    'OutputUpdates',
    structure(
      'OutputUpdate',
      {
        OutputId: Id,
        NameUpdate: InAppStreamName,
        KinesisStreamsOutputUpdate: resourceArnUpdate('KinesisStreamsOutputUpdate'),
        KinesisFirehoseOutputUpdate: resourceArnUpdate('KinesisFirehoseOutputUpdate'),
        LambdaOutputUpdate: resourceArnUpdate('LambdaOutputUpdate'),
        DestinationSchemaUpdate: structure('DestinationSchema', { RecordFormatType }, ['RecordFormatType'])
      },
      ['OutputId']
    )
  ),
  ReferenceDataSourceUpdates: list(
    'ReferenceDataSourceUpdates',
    structure(
      'ReferenceDataSourceUpdate',
      {
        ReferenceId: Id,
        TableNameUpdate: InAppTableName,
        S3ReferenceDataSourceUpdate: structure('S3ReferenceDataSourceUpdate', {
          BucketARNUpdate: BucketARN,
          FileKeyUpdate: FileKey
        }),
        ReferenceSchemaUpdate: SourceSchema
      },
      ['ReferenceId']
    )
  )
})

const ApplicationCodeConfigurationUpdate = structure('ApplicationCodeConfigurationUpdate', {
  CodeContentTypeUpdate: CodeContentType,
  CodeContentUpdate: structure('CodeContentUpdate', {
    TextContentUpdate: TextContent,
    ZipFileContentUpdate: ZipFileContent,
    S3ContentLocationUpdate: structure('S3ContentLocationUpdate', {
      BucketARNUpdate: BucketARN,
      FileKeyUpdate: FileKey,
      ObjectVersionUpdate: ObjectVersion
    })
  })
})

export const ParallelismConfigurationUpdate = structure('ParallelismConfigurationUpdate', {
  ConfigurationTypeUpdate: ConfigurationType,
  ParallelismUpdate: Parallelism,
  ParallelismPerKPUUpdate: ParallelismPerKPU,
  AutoScalingEnabledUpdate: BooleanObject
})

const FlinkApplicationConfigurationUpdate = structure('FlinkApplicationConfigurationUpdate', {
  CheckpointConfigurationUpdate: structure('CheckpointConfigurationUpdate', {
    ConfigurationTypeUpdate: ConfigurationType,
    CheckpointingEnabledUpdate: BooleanObject,
    CheckpointIntervalUpdate: CheckpointInterval,
    MinPauseBetweenCheckpointsUpdate: MinPauseBetweenCheckpoints
  }),
  MonitoringConfigurationUpdate: structure('MonitoringConfigurationUpdate', {
    ConfigurationTypeUpdate: ConfigurationType,
    MetricsLevelUpdate: MetricsLevel,
    LogLevelUpdate: LogLevel
  }),
  ParallelismConfigurationUpdate
})

const ZeppelinApplicationConfigurationUpdate = structure('ZeppelinApplicationConfigurationUpdate', {
  MonitoringConfigurationUpdate: structure(
    'ZeppelinMonitoringConfigurationUpdate',
    { LogLevelUpdate: LogLevel },
    ['LogLevelUpdate']
  ),
  CatalogConfigurationUpdate: structure(
    'CatalogConfigurationUpdate',
    {
      GlueDataCatalogConfigurationUpdate: structure(
        'GlueDataCatalogConfigurationUpdate',
        { DatabaseARNUpdate: DatabaseARN },
        ['DatabaseARNUpdate']
      )
    },
    ['GlueDataCatalogConfigurationUpdate']
  ),
  DeployAsApplicationConfigurationUpdate: structure('DeployAsApplicationConfigurationUpdate', {
    S3ContentLocationUpdate: structure('S3ContentBaseLocationUpdate', {
      BucketARNUpdate: BucketARN,
      BasePathUpdate: BasePath
    })
  }),
  CustomArtifactsConfigurationUpdate: list(
    'CustomArtifactsConfigurationList',
    structure('CustomArtifactConfiguration', { ArtifactType, S3ContentLocation, MavenReference }, ['ArtifactType']),
    { max: 50 }
  )
})

const ApplicationConfigurationUpdate = structure('ApplicationConfigurationUpdate', {
  SqlApplicationConfigurationUpdate,
  ApplicationCodeConfigurationUpdate,
  FlinkApplicationConfigurationUpdate,
  EnvironmentPropertyUpdates: structure('EnvironmentPropertyUpdates', { PropertyGroups }, ['PropertyGroups']),
  ApplicationSnapshotConfigurationUpdate: structure(
    'ApplicationSnapshotConfigurationUpdate',
    { SnapshotsEnabledUpdate: BooleanObject },
    ['SnapshotsEnabledUpdate']
  ),
  ApplicationSystemRollbackConfigurationUpdate: structure(
    'ApplicationSystemRollbackConfigurationUpdate',
    { RollbackEnabledUpdate: BooleanObject },
    ['RollbackEnabledUpdate']
  ),
  VpcConfigurationUpdates: list(
    'VpcConfigurationUpdates',
    structure(
      'VpcConfigurationUpdate',
      { VpcConfigurationId: Id, SubnetIdUpdates: SubnetIds, SecurityGroupIdUpdates: SecurityGroupIds },
      ['VpcConfigurationId']
    )
  ),
  ZeppelinApplicationConfigurationUpdate,
  ApplicationEncryptionConfigurationUpdate: structure(
    'ApplicationEncryptionConfigurationUpdate',
    { KeyIdUpdate: KeyId, KeyTypeUpdate: KeyType },
    ['KeyTypeUpdate']
  )
})

const RunConfigurationUpdate = structure('RunConfigurationUpdate', {
  FlinkRunConfiguration,
  ApplicationRestoreConfiguration
})

const CloudWatchLoggingOptionUpdates = list(
  'CloudWatchLoggingOptionUpdates',
  structure(
    'CloudWatchLoggingOptionUpdate',
    { CloudWatchLoggingOptionId: Id, LogStreamARNUpdate: LogStreamARN },
    ['CloudWatchLoggingOptionId']
  )
)

// ---------------------------------------------------------------------------------------------
// Operation inputs
// ---------------------------------------------------------------------------------------------

export const INPUT_SHAPES = {
  DescribeApplication: structure(
    'DescribeApplicationRequest',
    { ApplicationName, IncludeAdditionalDetails: BooleanObject },
    ['ApplicationName']
  ),
  UpdateApplication: structure(
    'UpdateApplicationRequest',
    {
      ApplicationName,
      CurrentApplicationVersionId: ApplicationVersionId,
      ApplicationConfigurationUpdate,
      ServiceExecutionRoleUpdate: RoleARN,
      RunConfigurationUpdate,
      CloudWatchLoggingOptionUpdates,
      ConditionalToken,
      RuntimeEnvironmentUpdate: RuntimeEnvironment
    },
    ['ApplicationName']
  ),
  DescribeApplicationOperation: structure(
    'DescribeApplicationOperationRequest',
    { ApplicationName, OperationId },
    ['ApplicationName', 'OperationId']
  ),
  ListApplicationOperations: structure(
    'ListApplicationOperationsRequest',
    {
      ApplicationName,
      Limit: integer('ListApplicationOperationsInputLimit', { min: 1, max: 50 }),
      NextToken,
      Operation,
      OperationStatus
    },
    ['ApplicationName']
  ),
  ListApplications: structure('ListApplicationsRequest', {
    Limit: integer('ListApplicationsInputLimit', { min: 1, max: 50 }),
    NextToken: ApplicationName
  }),
  ListApplicationSnapshots: structure(
    'ListApplicationSnapshotsRequest',
    { ApplicationName, Limit: integer('ListSnapshotsInputLimit', { min: 1, max: 50 }), NextToken },
    ['ApplicationName']
  ),
  DescribeApplicationSnapshot: structure(
    'DescribeApplicationSnapshotRequest',
    { ApplicationName, SnapshotName },
    ['ApplicationName', 'SnapshotName']
  ),
  CreateApplicationSnapshot: structure(
    'CreateApplicationSnapshotRequest',
    { ApplicationName, SnapshotName },
    ['ApplicationName', 'SnapshotName']
  ),
  DeleteApplicationSnapshot: structure(
    'DeleteApplicationSnapshotRequest',
    { ApplicationName, SnapshotName, SnapshotCreationTimestamp: Timestamp },
    ['ApplicationName', 'SnapshotName', 'SnapshotCreationTimestamp']
  ),
  StopApplication: structure('StopApplicationRequest', { ApplicationName, Force: BooleanObject }, ['ApplicationName']),
  ListTagsForResource: structure('ListTagsForResourceRequest', { ResourceARN: KinesisAnalyticsARN }, ['ResourceARN']),
  TagResource: structure('TagResourceRequest', { ResourceARN: KinesisAnalyticsARN, Tags }, ['ResourceARN', 'Tags']),
  UntagResource: structure(
    'UntagResourceRequest',
    { ResourceARN: KinesisAnalyticsARN, TagKeys: list('TagKeys', TagKey, { min: 1, max: 200 }) },
    ['ResourceARN', 'TagKeys']
  )
} as const satisfies Record<string, StructureShape>

export type KdaOperation = keyof typeof INPUT_SHAPES
export const KDA_OPERATIONS: ReadonlySet<string> = new Set(Object.keys(INPUT_SHAPES))

/** The errors each operation declares in the model (used to pick the validation error type). */
export const OPERATION_ERRORS: Record<KdaOperation, readonly string[]> = {
  DescribeApplication: ['ResourceNotFoundException', 'InvalidArgumentException', 'InvalidRequestException'],
  UpdateApplication: [
    'CodeValidationException',
    'ResourceNotFoundException',
    'ResourceInUseException',
    'InvalidArgumentException',
    'ConcurrentModificationException',
    'InvalidRequestException',
    'InvalidApplicationConfigurationException',
    'LimitExceededException'
  ],
  DescribeApplicationOperation: ['InvalidArgumentException', 'ResourceNotFoundException', 'UnsupportedOperationException'],
  ListApplicationOperations: ['InvalidArgumentException', 'ResourceNotFoundException', 'UnsupportedOperationException'],
  ListApplications: ['InvalidRequestException'],
  ListApplicationSnapshots: ['InvalidArgumentException', 'UnsupportedOperationException'],
  DescribeApplicationSnapshot: ['ResourceNotFoundException', 'InvalidArgumentException', 'UnsupportedOperationException'],
  CreateApplicationSnapshot: [
    'ResourceInUseException',
    'ResourceNotFoundException',
    'LimitExceededException',
    'InvalidArgumentException',
    'UnsupportedOperationException',
    'InvalidRequestException',
    'InvalidApplicationConfigurationException'
  ],
  DeleteApplicationSnapshot: [
    'ResourceInUseException',
    'InvalidArgumentException',
    'UnsupportedOperationException',
    'InvalidRequestException',
    'ResourceNotFoundException',
    'ConcurrentModificationException'
  ],
  StopApplication: [
    'ResourceNotFoundException',
    'ResourceInUseException',
    'InvalidArgumentException',
    'InvalidRequestException',
    'InvalidApplicationConfigurationException',
    'ConcurrentModificationException'
  ],
  ListTagsForResource: ['ResourceNotFoundException', 'InvalidArgumentException', 'ConcurrentModificationException'],
  TagResource: [
    'ResourceNotFoundException',
    'ResourceInUseException',
    'TooManyTagsException',
    'InvalidArgumentException',
    'ConcurrentModificationException'
  ],
  UntagResource: [
    'ResourceNotFoundException',
    'ResourceInUseException',
    'TooManyTagsException',
    'InvalidArgumentException',
    'ConcurrentModificationException'
  ]
}

// ---------------------------------------------------------------------------------------------
// Operation outputs (the parts the emulator emits; member names and types as in the model)
// ---------------------------------------------------------------------------------------------

const ApplicationEncryptionConfigurationDescription = structure(
  'ApplicationEncryptionConfigurationDescription',
  { KeyId, KeyType },
  ['KeyType']
)

const SnapshotDetails = structure(
  'SnapshotDetails',
  {
    SnapshotName,
    SnapshotStatus: string('SnapshotStatus', { enum: ['CREATING', 'READY', 'DELETING', 'FAILED'] }),
    ApplicationVersionId,
    SnapshotCreationTimestamp: Timestamp,
    RuntimeEnvironment,
    ApplicationEncryptionConfigurationDescription
  },
  ['SnapshotName', 'SnapshotStatus', 'ApplicationVersionId']
)

const ApplicationDetail = structure(
  'ApplicationDetail',
  {
    ApplicationARN: ResourceARN,
    ApplicationDescription: string('ApplicationDescription', { min: 0, max: 1024 }),
    ApplicationName,
    RuntimeEnvironment,
    ServiceExecutionRole: RoleARN,
    ApplicationStatus,
    ApplicationVersionId,
    CreateTimestamp: Timestamp,
    LastUpdateTimestamp: Timestamp,
    ApplicationConfigurationDescription: structure('ApplicationConfigurationDescription', {
      ApplicationCodeConfigurationDescription: structure(
        'ApplicationCodeConfigurationDescription',
        {
          CodeContentType,
          CodeContentDescription: structure('CodeContentDescription', {
            TextContent,
            CodeMD5: string('CodeMD5', { min: 128, max: 128 }),
            CodeSize: long('CodeSize', { min: 0, max: 52428800 }),
            S3ApplicationCodeLocationDescription: structure(
              'S3ApplicationCodeLocationDescription',
              { BucketARN, FileKey, ObjectVersion },
              ['BucketARN', 'FileKey']
            )
          })
        },
        ['CodeContentType']
      ),
      RunConfigurationDescription: structure('RunConfigurationDescription', {
        ApplicationRestoreConfigurationDescription: ApplicationRestoreConfiguration,
        FlinkRunConfigurationDescription: FlinkRunConfiguration
      }),
      FlinkApplicationConfigurationDescription: structure('FlinkApplicationConfigurationDescription', {
        CheckpointConfigurationDescription: structure('CheckpointConfigurationDescription', {
          ConfigurationType,
          CheckpointingEnabled: BooleanObject,
          CheckpointInterval,
          MinPauseBetweenCheckpoints
        }),
        MonitoringConfigurationDescription: structure('MonitoringConfigurationDescription', {
          ConfigurationType,
          MetricsLevel,
          LogLevel
        }),
        ParallelismConfigurationDescription: structure('ParallelismConfigurationDescription', {
          ConfigurationType,
          Parallelism,
          ParallelismPerKPU,
          CurrentParallelism: Parallelism,
          AutoScalingEnabled: BooleanObject
        }),
        JobPlanDescription: string('JobPlanDescription')
      }),
      EnvironmentPropertyDescriptions: structure('EnvironmentPropertyDescriptions', {
        PropertyGroupDescriptions: PropertyGroups
      }),
      ApplicationSnapshotConfigurationDescription: structure(
        'ApplicationSnapshotConfigurationDescription',
        { SnapshotsEnabled: BooleanObject },
        ['SnapshotsEnabled']
      ),
      ApplicationSystemRollbackConfigurationDescription: structure(
        'ApplicationSystemRollbackConfigurationDescription',
        { RollbackEnabled: BooleanObject },
        ['RollbackEnabled']
      ),
      ApplicationEncryptionConfigurationDescription
    }),
    CloudWatchLoggingOptionDescriptions: list(
      'CloudWatchLoggingOptionDescriptions',
      structure(
        'CloudWatchLoggingOptionDescription',
        { CloudWatchLoggingOptionId: Id, LogStreamARN, RoleARN },
        ['LogStreamARN']
      )
    ),
    ApplicationMaintenanceConfigurationDescription: structure(
      'ApplicationMaintenanceConfigurationDescription',
      {
        ApplicationMaintenanceWindowStartTime: string('ApplicationMaintenanceWindowStartTime', {
          min: 5,
          max: 5,
          pattern: '([01][0-9]|2[0-3]):[0-5][0-9]'
        }),
        ApplicationMaintenanceWindowEndTime: string('ApplicationMaintenanceWindowEndTime', {
          min: 5,
          max: 5,
          pattern: '([01][0-9]|2[0-3]):[0-5][0-9]'
        })
      },
      ['ApplicationMaintenanceWindowStartTime', 'ApplicationMaintenanceWindowEndTime']
    ),
    ApplicationVersionUpdatedFrom: ApplicationVersionId,
    ApplicationVersionRolledBackFrom: ApplicationVersionId,
    ApplicationVersionCreateTimestamp: Timestamp,
    ConditionalToken,
    ApplicationVersionRolledBackTo: ApplicationVersionId,
    ApplicationMode
  },
  ['ApplicationARN', 'ApplicationName', 'RuntimeEnvironment', 'ApplicationStatus', 'ApplicationVersionId']
)

export const OUTPUT_SHAPES = {
  DescribeApplication: structure('DescribeApplicationResponse', { ApplicationDetail }, ['ApplicationDetail']),
  UpdateApplication: structure('UpdateApplicationResponse', { ApplicationDetail, OperationId }, ['ApplicationDetail']),
  DescribeApplicationOperation: structure('DescribeApplicationOperationResponse', {
    ApplicationOperationInfoDetails: structure(
      'ApplicationOperationInfoDetails',
      {
        Operation,
        StartTime: Timestamp,
        EndTime: Timestamp,
        OperationStatus,
        ApplicationVersionChangeDetails: structure(
          'ApplicationVersionChangeDetails',
          { ApplicationVersionUpdatedFrom: ApplicationVersionId, ApplicationVersionUpdatedTo: ApplicationVersionId },
          ['ApplicationVersionUpdatedFrom', 'ApplicationVersionUpdatedTo']
        ),
        OperationFailureDetails: structure('OperationFailureDetails', {
          RollbackOperationId: OperationId,
          ErrorInfo: structure('ErrorInfo', { ErrorString: string('ErrorString', { min: 1, max: 512 }) })
        })
      },
      // The model marks EndTime required; the emulator leaves it out while the operation is in progress.
      ['Operation', 'StartTime', 'OperationStatus']
    )
  }),
  ListApplicationOperations: structure('ListApplicationOperationsResponse', {
    ApplicationOperationInfoList: list(
      'ApplicationOperationInfoList',
      structure('ApplicationOperationInfo', {
        Operation,
        OperationId,
        StartTime: Timestamp,
        EndTime: Timestamp,
        OperationStatus
      })
    ),
    NextToken
  }),
  ListApplications: structure(
    'ListApplicationsResponse',
    {
      ApplicationSummaries: list(
        'ApplicationSummaries',
        structure(
          'ApplicationSummary',
          {
            ApplicationName,
            ApplicationARN: ResourceARN,
            ApplicationStatus,
            ApplicationVersionId,
            RuntimeEnvironment,
            ApplicationMode
          },
          ['ApplicationName', 'ApplicationARN', 'ApplicationStatus', 'ApplicationVersionId', 'RuntimeEnvironment']
        )
      ),
      NextToken: ApplicationName
    },
    ['ApplicationSummaries']
  ),
  ListApplicationSnapshots: structure('ListApplicationSnapshotsResponse', {
    SnapshotSummaries: list('SnapshotSummaries', SnapshotDetails),
    NextToken
  }),
  DescribeApplicationSnapshot: structure('DescribeApplicationSnapshotResponse', { SnapshotDetails }, ['SnapshotDetails']),
  CreateApplicationSnapshot: structure('CreateApplicationSnapshotResponse', {}),
  DeleteApplicationSnapshot: structure('DeleteApplicationSnapshotResponse', {}),
  StopApplication: structure('StopApplicationResponse', { OperationId }),
  ListTagsForResource: structure('ListTagsForResourceResponse', { Tags }),
  TagResource: structure('TagResourceResponse', {}),
  UntagResource: structure('UntagResourceResponse', {})
} as const satisfies Record<KdaOperation, StructureShape>

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/**
 * One problem found in a request. `type` problems are JSON values of the wrong kind (the service's
 * deserializer rejects those), `unknown` members are not in the shape, `constraint` problems break
 * the model's required/length/range/pattern/enum rules.
 */
export interface Violation {
  kind: 'type' | 'unknown' | 'constraint'
  /** Member path as the service's validation messages write it: `applicationConfigurationUpdate.flinkApplicationConfigurationUpdate.…` */
  path: string
  /** The same path with the model's member names: `ApplicationConfigurationUpdate.FlinkApplicationConfigurationUpdate.…` */
  memberPath: string
  message: string
}

const patternCache = new Map<string, RegExp>()
function fullMatch(pattern: string, value: string): boolean {
  let re = patternCache.get(pattern)
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 's')
    patternCache.set(pattern, re)
  }
  return re.test(value)
}

const lowerFirst = (s: string) => (s.length ? s[0]!.toLowerCase() + s.slice(1) : s)
const join = (base: string, part: string) => (base ? `${base}.${part}` : part)

function render(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return `'${value}'`
  if (Array.isArray(value)) return `'[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}]'`
  if (typeof value === 'object') return `'${JSON.stringify(value)}'`
  return `'${String(value)}'`
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

/** Validates `value` against `shape`, returning every violation (empty when valid). */
export function validate(shape: Shape, value: unknown): Violation[] {
  const out: Violation[] = []
  walk(shape, value, '', '', out)
  return out
}

function walk(shape: Shape, value: unknown, path: string, memberPath: string, out: Violation[]): void {
  const constraint = (message: string): void => {
    out.push({
      kind: 'constraint',
      path,
      memberPath,
      message: `Value ${render(value)} at '${path}' failed to satisfy constraint: ${message}`
    })
  }
  const typeError = (expected: string): void => {
    out.push({
      kind: 'type',
      path,
      memberPath,
      message: `Expected ${expected} at '${memberPath || '(root)'}' but found ${kindOf(value)}`
    })
  }

  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return typeError('an object')
      const record = value as Record<string, unknown>
      for (const key of Object.keys(record)) {
        if (!Object.hasOwn(shape.members, key)) {
          out.push({
            kind: 'unknown',
            path: join(path, lowerFirst(key)),
            memberPath: join(memberPath, key),
            message: `Unknown member '${join(memberPath, key)}' is not part of ${shape.name}`
          })
        }
      }
      for (const [name, member] of Object.entries(shape.members)) {
        const child = record[name]
        const childPath = join(path, lowerFirst(name))
        const childMemberPath = join(memberPath, name)
        if (child === undefined || child === null) {
          if (shape.required.includes(name)) {
            out.push({
              kind: 'constraint',
              path: childPath,
              memberPath: childMemberPath,
              message: `Value null at '${childPath}' failed to satisfy constraint: Member must not be null`
            })
          }
          continue
        }
        walk(member, child, childPath, childMemberPath, out)
      }
      return
    }
    case 'list': {
      if (!Array.isArray(value)) return typeError('an array')
      if (shape.min !== undefined && value.length < shape.min)
        constraint(`Member must have length greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && value.length > shape.max)
        constraint(`Member must have length less than or equal to ${shape.max}`)
      value.forEach((item, i) => {
        if (item === null) {
          const p = `${path}.${i + 1}.member`
          out.push({ kind: 'constraint', path: p, memberPath: `${memberPath}[${i}]`, message: `Value null at '${p}' failed to satisfy constraint: Member must not be null` })
          return
        }
        walk(shape.member, item, `${path}.${i + 1}.member`, `${memberPath}[${i}]`, out)
      })
      return
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return typeError('an object')
      const entries = Object.entries(value as Record<string, unknown>)
      if (shape.min !== undefined && entries.length < shape.min)
        constraint(`Member must have length greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && entries.length > shape.max)
        constraint(`Member must have length less than or equal to ${shape.max}`)
      for (const [k, v] of entries) {
        const keyProblems = validate(shape.key, k)
        if (keyProblems.length) constraint(`Map keys must satisfy constraint: [${keyProblems.map(stripPrefix).join(', ')}]`)
        if (v === null) {
          constraint('Map value must satisfy constraint: [Member must not be null]')
          continue
        }
        const valueProblems: Violation[] = []
        walk(shape.value, v, `${path}.${k}`, `${memberPath}.${k}`, valueProblems)
        for (const p of valueProblems) {
          if (p.kind === 'constraint' && p.path === `${path}.${k}`) {
            constraint(`Map value must satisfy constraint: [${stripPrefix(p)}]`)
          } else out.push(p)
        }
      }
      return
    }
    case 'string': {
      if (typeof value !== 'string') return typeError('a string')
      // Lengths count characters (code points) as the service does.
      const length = [...value].length
      if (shape.min !== undefined && length < shape.min)
        constraint(`Member must have length greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && length > shape.max)
        constraint(`Member must have length less than or equal to ${shape.max}`)
      if (shape.pattern !== undefined && !fullMatch(shape.pattern, value))
        constraint(`Member must satisfy regular expression pattern: ${shape.pattern}`)
      if (shape.enum !== undefined && !shape.enum.includes(value))
        constraint(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`)
      return
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return typeError(`an ${shape.type === 'long' ? 'integer (long)' : 'integer'}`)
      if (shape.type === 'integer' && (value > 2147483647 || value < -2147483648)) return typeError('a 32-bit integer')
      if (shape.min !== undefined && value < shape.min)
        constraint(`Member must have value greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && value > shape.max)
        constraint(`Member must have value less than or equal to ${shape.max}`)
      return
    }
    case 'boolean':
      if (typeof value !== 'boolean') typeError('a boolean')
      return
    case 'timestamp':
      if (typeof value !== 'number') typeError('a timestamp (epoch seconds)')
      return
    case 'blob': {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0)
        return typeError('a base64 string')
      const size = Buffer.from(value, 'base64').length
      if (shape.min !== undefined && size < shape.min)
        constraint(`Member must have length greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && size > shape.max) constraint(`Member must have length less than or equal to ${shape.max}`)
      return
    }
  }
}

function stripPrefix(v: Violation): string {
  const i = v.message.indexOf('failed to satisfy constraint: ')
  return i >= 0 ? v.message.slice(i + 'failed to satisfy constraint: '.length) : v.message
}

/** The service's wording for a list of constraint violations. */
export function validationMessage(violations: readonly Violation[]): string {
  const n = violations.length
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.map((v) => v.message).join('; ')}`
}

/** Every named shape reachable from the operation shapes (for cross-checking against the model). */
export function allShapes(): Map<string, Shape> {
  const seen = new Map<string, Shape>()
  const visit = (s: Shape) => {
    if (seen.has(s.name) && seen.get(s.name) === s) return
    seen.set(s.name, s)
    if (s.type === 'structure') Object.values(s.members).forEach(visit)
    if (s.type === 'list') visit(s.member)
    if (s.type === 'map') {
      visit(s.key)
      visit(s.value)
    }
  }
  Object.values(INPUT_SHAPES).forEach(visit)
  Object.values(OUTPUT_SHAPES).forEach(visit)
  return seen
}
