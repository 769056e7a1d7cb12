/**
 * The floor for "process start to first AWS request": a script that only loads the EC2 client
 * from node_modules and sends one DescribeImages. bench/run.ts compiles it to plain ESM, spawns
 * it with node, and reads the time of its request in the emulator's call log.
 *
 *   BENCH_SDK_PROBE_IMAGE=ami-… AWS_ENDPOINT_URL_EC2=… node sdk-probe.mjs
 */
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2'

const client = new EC2Client({ region: process.env['AWS_REGION'] ?? 'us-east-1' })
await client.send(
  new DescribeImagesCommand({ ImageIds: [process.env['BENCH_SDK_PROBE_IMAGE'] ?? 'ami-00000000000000000'] })
)
