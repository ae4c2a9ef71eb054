import { DEFAULT_REGION } from './regions.js'

// EC2 Image Builder recipes, as far as EC2 reads them: DescribeImageReferences finds the image recipes whose parent
// image, and the container recipes whose build instance image, is an image id.

export type RecipeKind = 'image-recipe' | 'container-recipe'

export interface RecipeRecord {
  kind: RecipeKind
  region: string
  name: string
  /** Semantic version, major.minor.patch. */
  version: string
  /** The AMI it builds on: an image recipe's parentImage, a container recipe's instanceConfiguration.image. */
  imageId: string
  arn: string
  /** epoch ms */
  createdAt: number
}

const VERSION_PATTERN = /^\d+\.\d+\.\d+$/
const NAME_PATTERN = /^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z0-9]$/

/** What both kinds of recipe are made from: `imageId` is the AMI they build on. */
export interface RecipeSpec {
  region?: string
  name: string
  version?: string
  imageId: string
}

export class ImageBuilderState {
  readonly recipes: RecipeRecord[] = []

  /** `arn:aws:imagebuilder:<region>:<account>:image-recipe/<name>/<version>` (or container-recipe/…); returns it. */
  addRecipe(kind: RecipeKind, options: RecipeSpec, accountId: string, now: number): string {
    const caller = kind === 'image-recipe' ? 'addImageRecipe' : 'addContainerRecipe'
    const region = options.region ?? DEFAULT_REGION
    const version = options.version ?? '1.0.0'
    if (!NAME_PATTERN.test(options.name)) throw new Error(`${caller}: '${options.name}' is not a recipe name (3 to 128 letters, digits, '-', '_' or inner spaces)`)
    if (!VERSION_PATTERN.test(version)) throw new Error(`${caller}: version is major.minor.patch, got '${version}'`)
    const arn = `arn:aws:imagebuilder:${region}:${accountId}:${kind}/${options.name.toLowerCase().replace(/ /g, '-')}/${version}`
    if (this.recipes.some((recipe) => recipe.arn === arn)) throw new Error(`${caller}: ${arn} exists already`)
    this.recipes.push({ kind, region, name: options.name, version, imageId: options.imageId, arn, createdAt: now })
    return arn
  }
}
