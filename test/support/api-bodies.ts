/** Response shapes as the tests read them (the API's contract, written out independently). */

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance: string;
  readonly requestId: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

export interface PortfolioBody {
  readonly id: string;
  readonly templateId: string;
  readonly title: string;
  readonly slug: string;
  readonly subdomain: string | null;
  readonly visibility: string;
  readonly isPublished: boolean;
  readonly publishedAt: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly content: {
    readonly profile: { readonly name: string; readonly headline?: string };
    readonly links: readonly { readonly label: string; readonly url: string }[];
    readonly sections: readonly { readonly kind: string; readonly title: string }[];
  };
}

export interface VersionBody {
  readonly version: number;
  readonly title: string;
  readonly templateId: string;
  readonly authorId: string | null;
  readonly createdAt: string;
  readonly archivedAt: string | null;
  readonly content?: PortfolioBody['content'];
}

export interface PageBody<T> {
  readonly data: readonly T[];
  readonly pagination: {
    readonly page?: number;
    readonly limit: number;
    readonly total?: number;
    readonly totalPages?: number;
    readonly hasNext: boolean;
    readonly hasPrev?: boolean;
    readonly nextCursor: string | null;
  };
}

export interface TemplateBody {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly category: string;
  readonly source?: string;
  readonly css?: string;
}
