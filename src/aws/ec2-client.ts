// The EC2 client class alone, for clients.ts to import() when a fleet scan first lists regions:
// EC2's one schema module is 1.3 MB, and loaded like the other clients it sat in the chunk every
// live command parses. A named re-export lets the bundler keep only the class and what it needs.
export { EC2Client } from '@aws-sdk/client-ec2';
