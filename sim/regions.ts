/** Where a resource lives unless a test says otherwise; every store (EC2, SSM, Image Builder) keeps one per region. */
export const DEFAULT_REGION = 'us-east-1'
