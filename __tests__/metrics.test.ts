/**
 * CloudWatch metrics of a run: the data points built from the outcomes (a pure function, tested
 * with tables), the requests they make (split only past PutMetricData's limits), publishing
 * against a mocked CloudWatch client (one warning on failure, never a thrown error), and the
 * metrics-namespace input.
 */
import { CloudWatchClient, CloudWatchServiceException, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Outcome } from '../src/phases/outcome.js'
import { actionInputs } from './fixtures/action-inputs.js'

const original = await import('@actions/core')
jest.unstable_mockModule('@actions/core', () => ({
  ...original,
  info: jest.fn<typeof original.info>(),
  warning: jest.fn<typeof original.warning>()
}))
const core = await import('@actions/core')
const { batches, failureText, metricData, publishMetrics, MAX_DATA_PER_REQUEST } = await import('../src/aws/metrics.js')
const { readConfig } = await import('../src/github/config.js')
const { ScalerError } = await import('../src/errors.js')

const info = jest.mocked(core.info)
const warning = jest.mocked(core.warning)
const cloudwatch = mockClient(CloudWatchClient)
beforeEach(() => {
  cloudwatch.reset()
  info.mockReset()
  warning.mockReset()
})

const AT = new Date('2026-12-02T10:07:00Z')

const outcome = (o: Partial<Outcome> & Pick<Outcome, 'action'>): Outcome => ({
  application: 'orders',
  region: 'us-east-1',
  reason: 'a sentence',
  ...o
})

/** The values metricData gives one application, by metric name. */
function valuesOf(o: Outcome): Record<string, number> {
  const [{ data }] = metricData([o], AT)
  return Object.fromEntries(data.map((d) => [d.MetricName!, d.Value!]))
}

describe('metricData: what each application reports', () => {
  it.each<{ name: string; outcome: Outcome; values: Record<string, number> }>([
    {
      name: 'updated and followed to the end: Parallelism is the target',
      outcome: outcome({ action: 'updated', previousParallelism: 4, targetParallelism: 10, updateAccepted: true }),
      values: { Reconciled: 1, TargetParallelism: 10, Parallelism: 10, Updated: 1, Deferred: 0, Failed: 0 }
    },
    {
      name: 'already at its target',
      outcome: outcome({ action: 'skipped', status: 'RUNNING', previousParallelism: 10, targetParallelism: 10 }),
      values: { Reconciled: 1, TargetParallelism: 10, Parallelism: 10, Updated: 0, Deferred: 0, Failed: 0 }
    },
    {
      name: 'skipped because not RUNNING: Parallelism is the one found',
      outcome: outcome({ action: 'skipped', status: 'UPDATING', previousParallelism: 4, targetParallelism: 10 }),
      values: { Reconciled: 1, TargetParallelism: 10, Parallelism: 4, Updated: 0, Deferred: 0, Failed: 0 }
    },
    {
      name: 'a dry run: planned is not updated',
      outcome: outcome({ action: 'planned', previousParallelism: 4, targetParallelism: 10 }),
      values: { Reconciled: 1, TargetParallelism: 10, Parallelism: 4, Updated: 0, Deferred: 0, Failed: 0 }
    },
    {
      name: 'a scale-down deferred by the guard: nothing changed, and not a failure',
      outcome: outcome({ action: 'deferred', previousParallelism: 20, targetParallelism: 10 }),
      values: { Reconciled: 1, TargetParallelism: 10, Parallelism: 20, Updated: 0, Deferred: 1, Failed: 0 }
    },
    {
      name: 'failed by a decision (snapshot guard): nothing changed',
      outcome: outcome({ action: 'failed', previousParallelism: 4, targetParallelism: 10, error: 'snapshots disabled' }),
      values: { Reconciled: 1, TargetParallelism: 10, Parallelism: 4, Updated: 0, Deferred: 0, Failed: 1 }
    },
    {
      name: 'accepted, then rolled back: the one found, and failed',
      outcome: outcome({ action: 'failed', previousParallelism: 4, targetParallelism: 10, updateAccepted: true, error: 'rolled back' }),
      values: { Reconciled: 1, TargetParallelism: 10, Parallelism: 4, Updated: 0, Deferred: 0, Failed: 1 }
    },
    {
      name: 'failed before anything was learnt: no parallelism is guessed',
      outcome: outcome({ action: 'failed', error: 'ResourceNotFoundException' }),
      values: { Reconciled: 1, Updated: 0, Deferred: 0, Failed: 1 }
    },
    {
      name: 'updated, its snapshots counted: Snapshots, after the run',
      outcome: outcome({ action: 'updated', previousParallelism: 4, targetParallelism: 10, updateAccepted: true, snapshots: 812 }),
      values: { Reconciled: 1, TargetParallelism: 10, Parallelism: 10, Updated: 1, Deferred: 0, Failed: 0, Snapshots: 812 }
    },
    {
      name: 'snapshots counted as none (the update took the first): Snapshots 0 is a value, not a gap',
      outcome: outcome({ action: 'planned', previousParallelism: 4, targetParallelism: 10, snapshots: 0 }),
      values: { Reconciled: 1, TargetParallelism: 10, Parallelism: 4, Updated: 0, Deferred: 0, Failed: 0, Snapshots: 0 }
    }
  ])('$name', ({ outcome: o, values }) => {
    expect(valuesOf(o)).toEqual(values)
  })

  it('every datum has the Application and Region dimensions, the run time, and a unit', () => {
    const [{ data }] = metricData([outcome({ action: 'updated', application: 'orders-enricher', previousParallelism: 4, targetParallelism: 8 })], AT)
    expect(data.map((d) => d.MetricName)).toEqual(['Reconciled', 'TargetParallelism', 'Parallelism', 'Updated', 'Deferred', 'Failed'])
    for (const d of data) {
      expect(d.Dimensions).toEqual([
        { Name: 'Application', Value: 'orders-enricher' },
        { Name: 'Region', Value: 'us-east-1' }
      ])
      expect(d.Timestamp).toEqual(AT)
    }
    expect(data.map((d) => d.Unit)).toEqual(['Count', 'None', 'None', 'Count', 'Count', 'Count'])
    const [{ data: counted }] = metricData([outcome({ action: 'updated', previousParallelism: 4, targetParallelism: 8, snapshots: 3 })], AT)
    expect(counted.map((d) => [d.MetricName, d.Unit])).toContainEqual(['Snapshots', 'Count'])
  })

  it('groups the applications by region, in the order the regions first appear', () => {
    const regions = metricData(
      [
        outcome({ action: 'skipped', application: 'a', region: 'eu-west-1', previousParallelism: 2, targetParallelism: 2 }),
        outcome({ action: 'skipped', application: 'b', region: 'us-east-1', previousParallelism: 2, targetParallelism: 2 }),
        outcome({ action: 'failed', application: 'c', region: 'eu-west-1' })
      ],
      AT
    )
    expect(regions.map((r) => r.region)).toEqual(['eu-west-1', 'us-east-1'])
    const apps = (i: number) => [...new Set(regions[i]!.data.map((d) => d.Dimensions![0]!.Value))]
    expect(apps(0)).toEqual(['a', 'c'])
    expect(apps(1)).toEqual(['b'])
    expect(regions[0]!.data).toHaveLength(6 + 4)
  })

  it('no outcomes, no data', () => {
    expect(metricData([], AT)).toEqual([])
  })
})

describe('batches: one request unless PutMetricData limits are exceeded', () => {
  const data = (n: number, name = 'Reconciled'): MetricDatum[] =>
    Array.from({ length: n }, (_, i) => ({ MetricName: name, Dimensions: [{ Name: 'Application', Value: `app-${i}` }], Value: 1, Timestamp: AT }))

  it.each([
    [1, [1]],
    [5, [5]],
    [MAX_DATA_PER_REQUEST, [1000]],
    [MAX_DATA_PER_REQUEST + 1, [1000, 1]],
    [2500, [1000, 1000, 500]]
  ])('%i data points → %j', (n, sizes) => {
    expect(batches(data(n)).map((b) => b.length)).toEqual(sizes)
  })

  it('splits by size too, keeping the data in order', () => {
    const wide = data(10, 'M'.repeat(200))
    const split = batches(wide, { items: 1000, bytes: 2000 })
    expect(split.length).toBeGreaterThan(1)
    expect(split.flat()).toEqual(wide)
    for (const batch of split) expect(Buffer.byteLength(JSON.stringify(batch)) + 1024).toBeLessThanOrEqual(2000 + batch.length)
  })

  it('the largest request the action can make fits both limits', () => {
    // 166 applications of 128-character names (6 metrics each: 996 data points), every metric, in one region.
    const outcomes = Array.from({ length: 166 }, (_, i) =>
      outcome({ action: 'updated', application: `${i}`.padEnd(128, 'x'), region: 'us-gov-west-1', previousParallelism: 1000, targetParallelism: 1024 })
    )
    const [{ data: all }] = metricData(outcomes, AT)
    expect(all).toHaveLength(996)
    expect(batches(all)).toHaveLength(1)
    expect(Buffer.byteLength(JSON.stringify({ Namespace: 'N'.repeat(255), MetricData: all }))).toBeLessThan(1_048_576)
  })
})

describe('publishMetrics', () => {
  const outcomes = [
    outcome({ action: 'updated', application: 'orders', region: 'us-east-1', previousParallelism: 4, targetParallelism: 10 }),
    outcome({ action: 'skipped', application: 'payments', region: 'eu-west-1', previousParallelism: 8, targetParallelism: 8 }),
    outcome({ action: 'failed', application: 'fraud', region: 'us-east-1', previousParallelism: 2, targetParallelism: 6 })
  ]

  it('puts one PutMetricData per region, with the namespace, and says so', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({})
    await publishMetrics('FlinkScheduledScaler', outcomes, undefined, AT)
    const calls = cloudwatch.commandCalls(PutMetricDataCommand)
    expect(calls).toHaveLength(2)
    const byRegion = Object.fromEntries(
      await Promise.all(calls.map(async (c) => [await (c.thisValue as CloudWatchClient).config.region(), c.args[0].input] as const))
    )
    expect(Object.keys(byRegion).sort()).toEqual(['eu-west-1', 'us-east-1'])
    expect(byRegion['us-east-1']).toMatchObject({ Namespace: 'FlinkScheduledScaler' })
    expect(byRegion['us-east-1']!.MetricData).toHaveLength(12)
    expect(byRegion['eu-west-1']!.MetricData).toEqual(metricData([outcomes[1]!], AT)[0]!.data)
    expect(warning).not.toHaveBeenCalled()
    expect(info).toHaveBeenCalledWith('Published 18 CloudWatch metrics to namespace "FlinkScheduledScaler" in us-east-1, eu-west-1.')
  })

  it('uses the credentials it is given', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({})
    const credentials = async () => ({ accessKeyId: 'ASIASESSION', secretAccessKey: 'secret', sessionToken: 'token' })
    await publishMetrics('N', outcomes.slice(0, 1), credentials, AT)
    const client = cloudwatch.commandCalls(PutMetricDataCommand)[0]!.thisValue as CloudWatchClient
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'ASIASESSION' })
  })

  it('splits a region only past the 1000-metric limit', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({})
    const many = Array.from({ length: 201 }, (_, i) =>
      outcome({ action: 'skipped', application: `app-${i}`, previousParallelism: 2, targetParallelism: 2 })
    )
    await publishMetrics('N', many, undefined, AT)
    expect(cloudwatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input.MetricData!.length)).toEqual([1000, 206])
  })

  it('a refusal is one warning that names the region, the error and the IAM permission, and is not thrown', async () => {
    cloudwatch.on(PutMetricDataCommand).callsFake(async (_input, client: () => CloudWatchClient) => {
      if ((await client().config.region()) === 'eu-west-1') return {}
      throw new CloudWatchServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: {},
        message: 'User: arn:aws:sts::123456789012:assumed-role/flink-scaler/run is not authorized to perform: cloudwatch:PutMetricData'
      })
    })
    await expect(publishMetrics('FlinkScheduledScaler', outcomes, undefined, AT)).resolves.toBeUndefined()
    expect(warning).toHaveBeenCalledTimes(1)
    const text = warning.mock.calls[0]![0]
    expect(text).toContain('CloudWatch metrics were not published to namespace "FlinkScheduledScaler" (only 6 of its 18 data points were).')
    expect(text).toContain('us-east-1: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/flink-scaler/run is not authorized')
    expect(text).toContain('Fix: Allow cloudwatch:PutMetricData (Resource "*", with the condition "cloudwatch:namespace": "FlinkScheduledScaler")')
    expect(text).toContain('Scaling itself was not affected')
    expect(info).not.toHaveBeenCalled()
  })

  it("a proxy's own HTML page is one warning that says the proxy answered, not CloudWatch", async () => {
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, https_proxy: process.env.https_proxy }
    delete process.env.https_proxy
    process.env.HTTPS_PROXY = 'http://proxy.example:3128'
    try {
      // What the SDK raises when its JSON parser meets the page.
      cloudwatch.on(PutMetricDataCommand).rejects(
        Object.assign(new SyntaxError(`Unexpected token '<', "<!DOCTYPE "... is not valid JSON`), {
          $response: { statusCode: 403, reason: 'Forbidden', headers: { 'content-type': 'text/html' } },
          $metadata: { httpStatusCode: 403 }
        })
      )
      await publishMetrics('N', outcomes.slice(0, 1), undefined, AT)
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
    expect(warning).toHaveBeenCalledTimes(1)
    const text = warning.mock.calls[0]![0]
    expect(text).toContain('us-east-1: ProxyError: the proxy http://proxy.example:3128 answered HTTP 403 Forbidden with an HTML page (text/html), not AWS.')
    expect(text).toContain("Fix: The proxy's access rules deny monitoring.us-east-1.amazonaws.com")
    expect(text).not.toMatch(/JSON/)
  })

  it('failures in several regions are still one warning', async () => {
    cloudwatch.on(PutMetricDataCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
    await publishMetrics('N', outcomes, undefined, AT)
    expect(warning).toHaveBeenCalledTimes(1)
    // The same error everywhere is said once, for every region it happened in.
    expect(warning.mock.calls[0]![0]).toMatch(/ us-east-1, eu-west-1: Throttling: Rate exceeded\. Fix: CloudWatch did not accept the data after 6 attempts; the next run publishes again\./)
  })
})

describe('failureText: what to do', () => {
  it('different errors are listed region by region', () => {
    const text = failureText('N', [
      { region: 'us-east-1', name: 'Throttling', message: 'Rate exceeded' },
      { region: 'eu-west-1', name: 'AccessDenied', message: 'not authorized' },
      { region: 'ap-south-1', name: 'Throttling', message: 'Rate exceeded' }
    ])
    expect(text).toContain('us-east-1, ap-south-1: Throttling: Rate exceeded; eu-west-1: AccessDenied: not authorized.')
    expect(text).toMatch(/Fix: CloudWatch did not accept the data .* Allow cloudwatch:PutMetricData/)
  })

  it.each([
    ['AccessDeniedException', 'no identity-based policy allows the cloudwatch:PutMetricData action', /Allow cloudwatch:PutMetricData/],
    ['ExpiredToken', 'The security token included in the request is expired', /credentials that scaled the applications were refused/],
    ['ServiceUnavailable', 'Service is unavailable.', /after 6 attempts; the next run publishes again/],
    ['TimeoutError', 'socket hang up', /check the network \(and proxy\)/],
    ['InvalidParameterValue', 'The value AWS/ for parameter Namespace is invalid.', /report this message/]
  ])('%s', (name, message, fix) => {
    const text = failureText('N', [{ region: 'us-west-2', name, message }])
    expect(text).toContain(`us-west-2: ${name}: ${message}`)
    expect(text).toMatch(fix)
  })
})

describe('the metrics-namespace input', () => {
  const base = { 'application-name': 'orders', parallelism: '4', region: 'us-west-2' }
  const read = async (namespace: string) => (await readConfig(actionInputs({ ...base, 'metrics-namespace': namespace }), {}))

  it('empty: no metrics', async () => {
    expect((await read('')).metricsNamespace).toBeUndefined()
    expect((await readConfig(actionInputs(base), {})).metricsNamespace).toBeUndefined()
  })

  it.each(['FlinkScheduledScaler', 'Team/Flink Scaler', 'a', 'x#y:z_1.2-3', 'N'.repeat(255), 'aws/lowercase-is-yours'])('accepts %j', async (namespace) => {
    expect((await read(namespace)).metricsNamespace).toBe(namespace)
  })

  it.each([
    ['AWS/KinesisAnalytics', /reserves for AWS services/],
    ['N'.repeat(256), /is 256 characters long/],
    [':Flink', /starts with ":"/],
    ['Flïnk', /printable ASCII/],
    ['Tab\tbed', /printable ASCII/]
  ])('refuses %j before any AWS call, naming the input and the fix', async (namespace, problem) => {
    let error: unknown
    try {
      (await read(namespace))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ScalerError)
    const failure = error as InstanceType<typeof ScalerError>
    expect(failure.kind).toBe('input')
    expect(failure.message).toMatch(/^Input "metrics-namespace" \(/)
    expect(failure.message).toMatch(problem)
    expect(failure.hint).toMatch(/FlinkScheduledScaler/)
  })
})
